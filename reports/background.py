"""Work the pages hand to a Celery worker (outcome snapshots, annual reports): one way to
send it, to notice a worker that died, and to say in words why a run failed.

Below ``reports.snapshots`` and ``reports.annual``; it knows their rows only as
querysets with ``status``, ``error`` and ``finished_at``.
"""

import datetime

from celery import Task
from django.conf import settings
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.models import SnapshotStatus

STALE_ERROR = "Stopped: no result within the task time limit (the worker was lost)."
QUEUE_ERROR_PREFIX = "Could not queue"
WAITING = (SnapshotStatus.QUEUED, SnapshotStatus.RUNNING)


def longest_run() -> datetime.timedelta:
    """No task runs longer than this (Celery's hard time limit): past it, its worker is gone."""
    return datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def fail_stale(queryset: QuerySet, requested_field: str) -> int:
    """Mark as failed every waiting or running row asked for longer ago than any task may run.

    One UPDATE, so pages call it on every load; returns how many rows it marked.
    """
    return queryset.filter(
        status__in=WAITING, **{f"{requested_field}__lt": timezone.now() - longest_run()}
    ).update(status=SnapshotStatus.FAILED, error=STALE_ERROR, finished_at=timezone.now())


def send_on_commit(model: type[Model], pk: int, task: Task) -> None:
    """Send ``task`` for row ``pk`` once the row is committed (a worker must find it).

    If the queue does not answer, the row says so and fails; the page then
    shows why instead of waiting for ever.
    """
    transaction.on_commit(lambda: _send(model, pk, task))


def _send(model: type[Model], pk: int, task: Task) -> None:
    # Made on first use (not at start-up), the app must exist before a task is sent.
    import core.celery  # noqa: F401

    try:
        task.delay(pk)
    except Exception as error:
        model.objects.filter(pk=pk, status=SnapshotStatus.QUEUED).update(
            status=SnapshotStatus.FAILED,
            error=f"{QUEUE_ERROR_PREFIX}: {type(error).__name__}",
            finished_at=timezone.now(),
        )


def failure_reason(row: Model) -> str:
    """Why a failed run failed, in words for the page (never the exception's text)."""
    if row.status != SnapshotStatus.FAILED:
        return ""
    if row.error == STALE_ERROR:
        return _("It stopped without finishing: its worker was lost. Try again.")
    if row.error.startswith(QUEUE_ERROR_PREFIX):
        return _("It could not be queued: the task queue did not answer. Try again.")
    return _("An error stopped it; the error is in the server's log.")
