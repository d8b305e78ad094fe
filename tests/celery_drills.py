"""Tasks only the Celery safety tests send, to a worker started with ``--include``.

Each counts its attempts in Redis and kills its own worker process on the
first one, as the kernel's out-of-memory killer or a lost node would.
"""

import os

import redis
from celery import shared_task
from django.conf import settings


def _attempt(key: str) -> int:
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    attempt = client.incr(key)
    client.expire(key, 600)
    if attempt == 1:
        os._exit(1)  # no cleanup, no acknowledgement: the process is gone
    return attempt


@shared_task
def die_on_first_attempt(key: str) -> int:
    """Runs with the project's settings (acks_late, reject_on_worker_lost)."""
    return _attempt(key)


@shared_task(acks_late=False, reject_on_worker_lost=False)
def die_on_first_attempt_acked_early(key: str) -> int:
    """The same with the message acknowledged on receipt: what the settings prevent."""
    return _attempt(key)
