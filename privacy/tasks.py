from celery import shared_task
from django.utils import timezone

from privacy.services import retention_run


@shared_task
def retention_task() -> dict[str, int]:
    """Nightly retention (gallring). Safe to run twice: the second run deletes nothing."""
    return retention_run(today=timezone.localdate()).counts
