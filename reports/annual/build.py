"""Building the report: every table in the order of the city's report, the workbook,
and the row's progress on the way.

``annual_report_build`` is the plain function that the Celery task
``reports.annual.tasks.build_annual_report_task`` runs. It imports neither the task
nor the request that sends it (``reports.annual.services``).
"""

import datetime
from collections.abc import Callable

from django.utils import timezone

from reports.annual.characteristics import characteristics_table
from reports.annual.outcomes import outcome_tables
from reports.annual.places import places_table
from reports.annual.register import default_cohort_year, register_tables
from reports.annual.shape import ReportTable
from reports.annual.subsidies import subsidy_table
from reports.annual.support import support_table
from reports.annual.survey import survey_table
from reports.annual.xlsx import workbook_bytes
from reports.annual.years import is_preliminary, preliminary_note
from reports.models import AnnualReport, AnnualReportStep, SnapshotStatus

StepCallback = Callable[[str, int], None]


def compute_tables(
    year: int,
    *,
    cohort_year: int | None = None,
    on_step: StepCallback | None = None,
    as_at: datetime.date | None = None,
) -> list[ReportTable]:
    """Every table of the report of ``year``, in the order of the city's report.

    A report of a year that has not ended (``as_at``, default today) is
    preliminary: every table's subtitle says so, with the as-at date.
    """
    cohort = default_cohort_year(year) if cohort_year is None else cohort_year
    as_at = as_at or timezone.localdate()

    def step(name: str, progress: int) -> None:
        if on_step is not None:
            on_step(name, progress)

    step(AnnualReportStep.PLACES, 5)
    places = places_table(year)
    step(AnnualReportStep.OUTCOMES, 15)
    table_2, table_3 = outcome_tables(year)
    step(AnnualReportStep.CHARACTERISTICS, 35)
    characteristics = characteristics_table(year)
    step(AnnualReportStep.REGISTER, 50)
    register = register_tables(cohort)
    step(AnnualReportStep.SURVEY, 65)
    survey = survey_table(year)
    step(AnnualReportStep.SUPPORT, 70)
    support = [support_table(year), subsidy_table(year)]
    tables = [places, table_2, table_3, characteristics, *register, survey, *support]
    if is_preliminary(year, as_at):
        for table in tables:
            table.subtitle = f"{table.subtitle} {preliminary_note(as_at)}".strip()
    return tables


def _report_progress(report_id: int) -> StepCallback:
    def record(step: str, progress: int) -> None:
        AnnualReport.objects.filter(pk=report_id).update(step=step, progress=progress)

    return record


def annual_report_build(*, report_id: int) -> AnnualReport:
    """Compute the tables and write the workbook of a requested report.

    Safe to run twice: a report that is no longer waiting or running is left
    alone, and a build that was cut off starts again from the beginning. The
    new tables and file replace the old ones in one update at the end, so a
    failed build leaves the previous report in place.
    """
    report = AnnualReport.objects.get(pk=report_id)
    if not report.is_building:
        return report
    AnnualReport.objects.filter(pk=report_id).update(
        status=SnapshotStatus.RUNNING,
        started_at=timezone.now(),
        progress=0,
        step=AnnualReportStep.PLACES,
        error="",
    )
    record = _report_progress(report_id)
    try:
        tables = compute_tables(report.year, cohort_year=report.cohort_year, on_step=record)
        record(AnnualReportStep.WORKBOOK, 85)
        xlsx = workbook_bytes(tables, year=report.year)
        now = timezone.now()
        AnnualReport.objects.filter(pk=report_id).update(
            status=SnapshotStatus.DONE,
            progress=100,
            step=AnnualReportStep.DONE,
            finished_at=now,
            built_at=now,
            built_cohort_year=report.cohort_year,
            tables=[table.as_dict() for table in tables],
            xlsx=xlsx,
        )
    except Exception as error:
        AnnualReport.objects.filter(pk=report_id).update(
            status=SnapshotStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(error).__name__}: {error}"[:2000],
        )
        raise
    report.refresh_from_db()
    return report


def stored_tables(report: AnnualReport) -> list[ReportTable]:
    """The built report's tables, read back from the row."""
    return [ReportTable.from_dict(data) for data in report.tables or []]
