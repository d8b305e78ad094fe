"""Wage subsidies: days from application to decision, per year of decision."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.functions import ExtractYear

from core.numbers import one_decimal
from placements.models import WageSubsidyCase
from reports.annual.shape import ReportTable, count_cell, figure_cell, suppression_note
from reports.annual.statistics import DaysBetween, percentiles
from reports.annual.years import YEARS_SHOWN, year_bounds
from reports.disclosure import is_small


@dataclass(frozen=True)
class ProcessingTime:
    """One year of decisions: how many, and the median and 90th percentile of their days."""

    year: int
    decided: int
    median: float | None
    p90: float | None

    @property
    def hidden(self) -> bool:
        """A small cell (DESIGN §4): its count shows as "<5" and its days not at all."""
        return is_small(self.decided)


def processing_times(
    *, first_year: int, last_year: int, cases: QuerySet[WageSubsidyCase] | None = None
) -> list[ProcessingTime]:
    """Days from application to decision, per year of decision, first_year..last_year.

    Per decision year, so that every case decided in a year counts in it,
    also one applied for the year before; cases still waiting have no time yet.
    Continuous percentiles (``percentile_cont``), in one query on PostgreSQL.
    ``cases`` narrows the cases first (a unit's); the annual report counts all.
    Days with one decimal, half away from zero; every year appears, with 0
    decided and no days when nothing was decided.
    """
    base = WageSubsidyCase.objects.all() if cases is None else cases
    decided = base.filter(
        decided_on__gte=year_bounds(first_year)[0], decided_on__lte=year_bounds(last_year)[1]
    )
    figures = percentiles(
        decided,
        values={"days": DaysBetween("applied_on", "decided_on")},
        fractions=(0.5, 0.9),
        group=ExtractYear("decided_on"),
    )
    times = []
    for year in range(first_year, last_year + 1):
        count, (median, p90) = figures.get(year, {}).get("days", (0, [None, None]))
        times.append(ProcessingTime(year, count, one_decimal(median), one_decimal(p90)))
    return times


def subsidy_table(year: int) -> ReportTable:
    """Days from application to decision on wage subsidies, per year of decision: one query."""
    first_year = year - YEARS_SHOWN + 1
    table = ReportTable(
        slug="lonesubvention",
        sheet="Lönesubvention",
        title=f"Handläggningstid för beslut om lönesubventioner {first_year}–{year}",
        subtitle="Dagar från ansökan till beslut, per år då beslutet fattades.",
        header=["År", "Beslutade ansökningar", "Median (dagar)", "90:e percentilen (dagar)"],
        formats=["text", "count", "decimal", "decimal"],
        notes=[
            "Percentilerna är kontinuerliga (percentile_cont).",
            suppression_note(totals=False),
        ],
    )
    for time in processing_times(first_year=first_year, last_year=year):
        table.rows.append(
            [
                str(time.year),
                count_cell(time.decided, time.hidden),
                figure_cell(time.median, time.hidden),
                figure_cell(time.p90, time.hidden),
            ]
        )
    return table
