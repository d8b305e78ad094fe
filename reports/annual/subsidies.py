"""Wage subsidies: days from application to decision, per year of decision."""

import datetime

from django.db.models.functions import ExtractYear

from core.numbers import one_decimal
from placements.models import WageSubsidyCase
from reports.annual.shape import ReportTable, count_cell, figure_cell, suppression_note
from reports.annual.statistics import DaysBetween, percentiles
from reports.annual.years import YEARS_SHOWN, year_bounds
from reports.disclosure import is_small


def subsidy_table(year: int) -> ReportTable:
    """Days from application to decision on wage subsidies, per year of decision: one query.

    Per decision year, so that every case decided in a year counts in it,
    also one applied for the year before; cases still waiting have no time yet.
    """
    first_year = year - YEARS_SHOWN + 1
    decided = WageSubsidyCase.objects.filter(
        decided_on__gte=datetime.date(first_year, 1, 1), decided_on__lte=year_bounds(year)[1]
    )
    figures = percentiles(
        decided,
        values={"days": DaysBetween("applied_on", "decided_on")},
        fractions=(0.5, 0.9),
        group=ExtractYear("decided_on"),
    )
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
    for decision_year in range(first_year, year + 1):
        count, (median, p90) = figures.get(decision_year, {}).get("days", (0, [None, None]))
        table.rows.append(
            [
                str(decision_year),
                count_cell(count, is_small(count)),
                figure_cell(one_decimal(median), is_small(count)),
                figure_cell(one_decimal(p90), is_small(count)),
            ]
        )
    return table
