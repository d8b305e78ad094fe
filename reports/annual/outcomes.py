"""Tables 2 and 3: working or studying three months after the placement, per period,
in all and for women and men.
"""

from collections.abc import Mapping, Sequence

from django.db.models import F
from django.db.models.functions import TruncMonth

from participants.models import Gender
from placements.models import Placement
from reports.annual.shape import (
    Cell,
    Chart,
    ReportTable,
    count_cell,
    protected,
    share_cell,
    suppression_note,
)
from reports.annual.years import YEARS_SHOWN
from reports.disclosure import Key, Total
from reports.outcomes import OutcomeCounts, outcome_aggregates, suppress
from reports.periods import ReportPeriod, periods_between
from reports.selectors import rollup

OUTCOME_HEADER = [
    "Avslutade från–till",
    "Avslutade",
    "Uppföljda",
    "Täckning %",
    "Arbete utan subvention",
    "Arbete utan subvention %",
    "Arbete med subvention",
    "Arbete med subvention %",
    "Studier",
    "Studier %",
    "Arbetar eller studerar",
    "Arbetar eller studerar %",
]
OUTCOME_FORMATS = [
    "text",
    "count",
    "count",
    "share",
    "count",
    "share",
    "count",
    "share",
    "count",
    "share",
    "count",
    "share",
]
OUTCOME_NOTES = [
    "En period omfattar Stockholmsjobb som avslutats under de tolv månader som slutar fyra "
    "månader före periodens slut (T1: 30 april, T2: 31 augusti, VB: 31 december), så att "
    "uppföljningen tre månader efter hunnit göras.",
    "Andelarna räknas på de uppföljda; ”ej nådd” räknas bland de uppföljda. "
    "Täckning = uppföljda av avslutade.",
]
TABLE_3_GENDERS = {Gender.KVINNA: "Kvinnor", Gender.MAN: "Män"}


def report_periods(year: int) -> list[ReportPeriod]:
    """T1, T2 and VB of the report year and the three years before, in time order."""
    return periods_between(year - YEARS_SHOWN + 1, year)


def _outcome_cells(
    period: ReportPeriod, counts: OutcomeCounts, *, hide_followed_up: bool, hide_ended: bool
) -> list[Cell]:
    # As the dashboard shows a cell (reports.outcomes.suppress), with the same rules.
    cell = suppress(counts, hide_followed_up=hide_followed_up, hide_ended=hide_ended)
    hide = isinstance(cell["followed_up"], str)
    followed_up = counts.followed_up
    return [
        f"{period.window_start} – {period.window_end}",
        cell["ended"],
        cell["followed_up"],
        cell["coverage"],
        cell["work_unsubsidised"],
        share_cell(counts.work_unsubsidised, followed_up, hide=hide),
        cell["work_subsidised"],
        share_cell(counts.work_subsidised, followed_up, hide=hide),
        cell["studies"],
        share_cell(counts.studies, followed_up, hide=hide),
        count_cell(counts.work + counts.studies, hide),
        cell["share_work_or_studies"],
    ]


def _outcome_hidden(
    total: Sequence[OutcomeCounts], by_gender: Mapping[str, Sequence[OutcomeCounts]]
) -> dict[str, set[Key]]:
    """Per count (followed up, ended): the cells of tables 2 and 3 to hide.

    Table 2's period is exactly table 3's women plus men (legal gender), so
    only a small cell, or a part that subtraction would reveal, is hidden.
    """
    cells: dict[Key, OutcomeCounts] = {}
    totals = []
    for index, counts in enumerate(total):
        cells["total", index] = counts
        for gender in Gender.values:
            cells[gender, index] = by_gender[gender][index]
        totals.append(Total(("total", index), tuple((g, index) for g in Gender.values)))
    return {
        count: protected({key: getattr(counts, count) for key, counts in cells.items()}, totals)
        for count in ("followed_up", "ended")
    }


def outcome_month_rows(periods: Sequence[ReportPeriod]) -> list[dict]:
    """The outcome counts (``reports.outcomes.outcome_aggregates``) per month of end and gender.

    One grouped query; ``reports.selectors.rollup`` sums the months into each
    period's window, which is always whole months, as the snapshots do.
    """
    first = min(period.window_start for period in periods)
    last = max(period.window_end for period in periods)
    return list(
        Placement.objects.filter(end_date__gte=first, end_date__lte=last)
        .order_by()
        .values(end_month=TruncMonth("end_date"), gender=F("participant__gender"))
        .annotate(**outcome_aggregates())
    )


def outcome_tables(year: int) -> tuple[ReportTable, ReportTable]:
    """Tables 2 (all) and 3 (women and men) over the periods of four years: one query."""
    periods = report_periods(year)
    rows = outcome_month_rows(periods)
    empty = [OutcomeCounts() for _ in periods]
    total = rollup(rows, periods).get("total", empty)
    rolled_up = rollup(rows, periods, group_key="gender")
    by_gender = {gender: rolled_up.get(gender, empty) for gender in Gender.values}
    hide = _outcome_hidden(total, by_gender)

    def cells(key: Key, period: ReportPeriod, counts: OutcomeCounts) -> list[Cell]:
        return _outcome_cells(
            period,
            counts,
            hide_followed_up=key in hide["followed_up"],
            hide_ended=key in hide["ended"],
        )

    first_year = year - YEARS_SHOWN + 1
    last_row = len(periods) - 1

    table_2 = ReportTable(
        slug="tabell-2",
        sheet="Tabell 2",
        title=(
            "Tabell 2 Andel aspiranter som arbetar eller studerar tre månader efter "
            "avslutat Stockholmsjobb"
        ),
        subtitle=f"Perioderna T1, T2 och VB {first_year}–{year}.",
        header=["Period", *OUTCOME_HEADER],
        formats=OUTCOME_FORMATS[:1] + OUTCOME_FORMATS,
        notes=[*OUTCOME_NOTES, suppression_note()],
        charts=[
            Chart(
                kind="stacked_column",
                title="Andel som arbetar eller studerar tre månader efter avslut",
                y_title="Andel av uppföljda (%)",
                categories=(0, 0, last_row),
                series=[
                    ("Arbete utan subvention", 6, 0, last_row),
                    ("Arbete med subvention", 8, 0, last_row),
                    ("Studier", 10, 0, last_row),
                ],
            )
        ],
    )
    for index, period in enumerate(periods):
        table_2.rows.append([period.label, *cells(("total", index), period, total[index])])

    table_3 = ReportTable(
        slug="tabell-3",
        sheet="Tabell 3",
        title="Tabell 3 Avslut 3 månader efter Stockholmsjobb, kvinnor och män",
        subtitle=f"Perioderna T1, T2 och VB {first_year}–{year}.",
        header=["Kön", "Period", *OUTCOME_HEADER],
        formats=["text", "text", *OUTCOME_FORMATS],
        notes=[
            *OUTCOME_NOTES,
            "Kön är juridiskt kön enligt personnumret, som i SCB:s registerstatistik; "
            "kvinnor och män summerar till tabell 2.",
            suppression_note(),
        ],
    )
    series = []
    for block, (gender, label) in enumerate(TABLE_3_GENDERS.items()):
        for index, period in enumerate(periods):
            counts = by_gender[gender][index]
            table_3.rows.append([label, period.label, *cells((gender, index), period, counts)])
        first_row = block * len(periods)
        series.append((label, 13, first_row, first_row + last_row))
    table_3.charts.append(
        Chart(
            kind="line",
            title="Andel som arbetar eller studerar tre månader efter avslut, kvinnor och män",
            y_title="Andel av uppföljda (%)",
            categories=(1, 0, last_row),
            series=series,
        )
    )
    return table_2, table_3
