"""The annual report's Celery task: a thin wrapper around ``build.annual_report_build``.

``reports.tasks`` imports it so that the worker's autodiscovery finds it; its
name stays ``reports.tasks.build_annual_report_task`` so that a build queued
before an upgrade still runs after it.
"""

from celery import shared_task

from reports.annual.build import annual_report_build


@shared_task(name="reports.tasks.build_annual_report_task")
def build_annual_report_task(report_id: int) -> int:
    """Build a requested annual report (reports.annual.build.annual_report_build)."""
    return annual_report_build(report_id=report_id).pk
