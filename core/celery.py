"""The Celery app, made when something first sends or runs a task, not at start-up.

Importing Celery costs a tenth of a second or more, which every management
command and web process would pay although most never send a task. So the
project package does not import this module when Django starts; it is
imported by the worker (``celery -A stockholmsjobb``, through
``stockholmsjobb.celery``), by ``reports.background`` before it sends a
task, and by the test suite. Made, the app is the current app, so every
``shared_task`` is bound to it.
"""

import os

from celery import Celery
from celery.schedules import crontab
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stockholmsjobb.settings")

app = Celery("stockholmsjobb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = {
    name: {"task": entry["task"], "schedule": crontab(**entry["crontab"])}
    for name, entry in settings.BEAT_SCHEDULE.items()
}
app.autodiscover_tasks()
