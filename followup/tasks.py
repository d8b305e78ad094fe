from celery import shared_task
from django.conf import settings
from django.utils import timezone

from followup.services import followups_open_for_ended_placements, reminders_send


@shared_task
def open_followups_task() -> int:
    return followups_open_for_ended_placements(today=timezone.localdate())


@shared_task
def send_followup_reminders_task() -> int:
    return reminders_send(today=timezone.localdate(), site_url=settings.SITE_URL)
