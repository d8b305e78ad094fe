"""The reports app's Celery tasks: thin wrappers around plain functions.

Found by the Celery app's autodiscovery (``reports.tasks``). The functions
they run are below this module (``reports.snapshots``,
``reports.annual.build``); the services that send them are above it.
"""

from celery import shared_task

from reports.annual.build import annual_report_build
from reports.snapshots import snapshot_compute, snapshot_queue


@shared_task
def compute_snapshot_task(snapshot_id: int) -> int:
    return snapshot_compute(snapshot_id=snapshot_id).cells


@shared_task
def scheduled_snapshot_task() -> int:
    """Beat's entry: queue a fresh snapshot (computed by compute_snapshot_task)."""
    return snapshot_queue(task=compute_snapshot_task).pk


@shared_task
def build_annual_report_task(report_id: int) -> int:
    """Build a requested annual report (reports.annual.build.annual_report_build)."""
    return annual_report_build(report_id=report_id).pk
