"""The casework app's Celery tasks: thin wrappers around plain functions.

Found by the Celery app's autodiscovery (``casework.tasks``).
"""

from celery import shared_task

from casework.import_jobs import placement_import_run, placement_imports_purge


@shared_task
def run_placement_import_task(import_id: int) -> str:
    """Run a confirmed placement import (casework.import_jobs.placement_import_run)."""
    return placement_import_run(import_id=import_id).status


@shared_task
def purge_placement_imports_task() -> int:
    """Delete uploaded files nobody confirmed within a day, and fail imports whose worker died."""
    return placement_imports_purge()
