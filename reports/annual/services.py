"""Asking for an annual report: its row, and the build task sent once the row commits.

Above ``reports.annual.tasks``, which it sends; the task runs ``reports.annual.build``.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from reports.annual.build import annual_report_build
from reports.annual.register import default_cohort_year
from reports.annual.tasks import build_annual_report_task
from reports.background import fail_stale, longest_run, send_on_commit
from reports.models import AnnualReport, AnnualReportStep, SnapshotStatus


def annual_report_request(
    *, year: int, requested_by: User | None = None, cohort_year: int | None = None
) -> AnnualReport:
    """Ask for the report of ``year`` to be built; the task is sent once this commits.

    A build already waiting or running for the year is left to finish (its
    row is returned as it is), unless it has been at it longer than any task
    may run: then its worker is gone and a new build starts. The previous
    report's files stay as they are until the new build succeeds.
    """
    with transaction.atomic():
        report, waiting = _queued_row(year, requested_by=requested_by, cohort_year=cohort_year)
        if not waiting:
            # The previous report stays downloadable; a failure to queue is said on the row.
            send_on_commit(AnnualReport, report.pk, build_annual_report_task)
    return report


def annual_report_build_here(*, year: int, cohort_year: int | None = None) -> AnnualReport:
    """Build the report of ``year`` in this process: the ``annual_report`` command.

    The same row and the same build as the page's request, without the queue,
    so that the command and the page give the same files.
    """
    with transaction.atomic():
        report, _waiting = _queued_row(year, requested_by=None, cohort_year=cohort_year, now=True)
    return annual_report_build(report_id=report.pk)


def annual_reports_fail_stale() -> int:
    """Mark as failed every build that has outlived any task's time limit; how many.

    Its worker is gone (a killed or restarted process): the page then says so
    and offers a new build, instead of showing the progress bar for ever.
    """
    return fail_stale(AnnualReport.objects.all(), "requested_at")


def _queued_row(
    year: int, *, requested_by: User | None, cohort_year: int | None, now: bool = False
) -> tuple[AnnualReport, bool]:
    """The year's row set to wait for a build; whether a running build is left to finish.

    ``now``: the caller builds at once, whatever else is waiting.
    """
    moment = timezone.now()
    cohort_year = default_cohort_year(year) if cohort_year is None else cohort_year
    # get_or_create: two first requests for a year at once meet on the unique
    # year, and the second takes the first's row instead of failing.
    report, created = AnnualReport.objects.get_or_create(
        year=year, defaults={"requested_at": moment, "cohort_year": cohort_year}
    )
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if (
        not now
        and not created
        and report.is_building
        and moment - report.requested_at < longest_run()
    ):
        return report, True
    report.cohort_year = cohort_year
    report.status = SnapshotStatus.QUEUED
    report.progress = 0
    report.step = AnnualReportStep.QUEUED
    report.requested_by = requested_by
    report.requested_at = moment
    report.started_at = None
    report.finished_at = None
    report.error = ""
    report.save()
    return report, False
