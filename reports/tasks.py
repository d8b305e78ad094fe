"""The reports app's Celery tasks: thin wrappers around plain functions.

Found by the Celery app's autodiscovery (``reports.tasks``). The functions
they run are below this module (``reports.snapshots``); the annual report's
task lives with it (``reports.annual.tasks``) and is imported here for the
worker. The services that send the tasks are above them.
"""

from celery import shared_task

# Registered here for the worker's autodiscovery; it lives with the annual report.
from reports.annual.tasks import build_annual_report_task  # noqa: F401
from reports.snapshots import snapshot_compute, snapshot_queue


@shared_task
def compute_snapshot_task(snapshot_id: int) -> int:
    return snapshot_compute(snapshot_id=snapshot_id).cells


@shared_task
def scheduled_snapshot_task() -> int:
    """Beat's entry: queue a fresh snapshot (computed by compute_snapshot_task)."""
    return snapshot_queue(task=compute_snapshot_task).pk
