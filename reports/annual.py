"""The annual report (redovisning av Stockholmsjobb): its tables, and building them.

The tables follow the city's report (``domain/000_…``): each is numbered and
titled as there, in Swedish, whatever the language of the person who asks for
it, so that the same data always gives the same files. Every figure is an
aggregate counted by the database in a bounded number of grouped queries: the
number of queries does not grow with the data. Small cells are suppressed as
DESIGN §4 says (a denominator of 1 to SMALL_CELL_THRESHOLD − 1 shows no share
and its counts as ``<5``), and where a table shows a total beside its parts,
so is a part the total would give away (``reports.disclosure``, secondary
suppression). That is done in the stored tables themselves, so the workbook,
the CSV files and the HTML page show the same cells.

The building is a plain function, ``annual_report_build``, that a Celery task
wraps (``reports.tasks.build_annual_report_task``).
"""

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from itertools import groupby
from math import ceil, floor
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import (
    Aggregate,
    Count,
    Exists,
    Expression,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Cast, ExtractDay, ExtractMonth, ExtractYear, TruncMonth
from django.utils import timezone, translation

from accounts.models import User
from core.numbers import one_decimal, percent
from followup.models import IncomeSource, SurveyResponse
from followup.register import REGISTER_COHORT_LAG
from participants.models import EducationLevel, Gender, LearningGoal, Participant, Study
from placements.models import (
    Internship,
    JobType,
    Placement,
    PlacementTarget,
    Setting,
    WageSubsidyCase,
)
from reports.disclosure import (
    Key,
    Total,
    hidden_text,
    is_small,
    secondary_suppression,
    small_cell_threshold,
    small_cells,
)
from reports.models import AnnualReport, AnnualReportStep, SnapshotStatus
from reports.outcomes import OutcomeCounts, age_group_expression, outcome_aggregates, suppress
from reports.periods import ReportPeriod, periods_between
from reports.selectors import rollup
from reports.survey_results import response_rates, round_results
from survey.models import SurveyRound
from survey.selectors import statement_label

Cell = int | float | str | None

# Tables 2 and 3 show the periods of the report year and the three years before it.
YEARS_SHOWN = 4


# --- The shape of a table ---------------------------------------------------------------


@dataclass
class Chart:
    """A chart the workbook draws next to a table, as in the city's report.

    ``categories`` and each series are a column of the table's data rows:
    ``(column, first_row, last_row)``, counted from 0 over ``rows``.
    """

    kind: str  # "stacked_column", "column" or "line"
    title: str
    y_title: str
    categories: tuple[int, int, int]
    series: list[tuple[str, int, int, int]]  # name, column, first row, last row


@dataclass
class ReportTable:
    """One table of the report: a sheet of the workbook, a CSV file, a table of the page.

    ``formats`` says per column how to show a value: ``text``, ``count``, ``share``
    (per cent, one decimal) or ``decimal`` (one decimal). A suppressed count is
    the text ``<5``; a value that does not exist or is suppressed is None.
    """

    slug: str
    sheet: str
    title: str
    subtitle: str
    header: list[str]
    formats: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ReportTable":
        values = dict(data)
        values["charts"] = [
            Chart(
                kind=chart["kind"],
                title=chart["title"],
                y_title=chart["y_title"],
                categories=tuple(chart["categories"]),
                series=[tuple(series) for series in chart["series"]],
            )
            for chart in data.get("charts", [])
        ]
        return cls(**values)


# --- Small cells -------------------------------------------------------------------------


def _count(value: int, hide: bool) -> int | str:
    return hidden_text() if hide else value


def _share(numerator: int, denominator: int, *, hide: bool) -> float | None:
    """``numerator / denominator`` in per cent; none when hidden or over zero."""
    if hide:
        return None
    share = percent(numerator, denominator)
    return None if share is None else float(share)


def _figure(value: float | None, hide: bool) -> float | None:
    """A mean or a percentile: none when its cell is hidden."""
    return None if hide else value


def protected(
    values: Mapping[Key, int], totals: Iterable[Total], *, unshown: Iterable[Key] = ()
) -> set[Key]:
    """The cells of one count to hide: the small ones (DESIGN §4, primary suppression)
    and those a total shown beside them would give away (``reports.disclosure``,
    secondary suppression).

    ``unshown`` are parts of a total that no table shows: they count as hidden,
    since the total minus the shown parts is their sum.
    """
    threshold = small_cell_threshold()
    hidden = small_cells(values, threshold) | {key for key in unshown if values.get(key, 0) > 0}
    return secondary_suppression(values, hidden, totals, threshold)


def _suppression_note(*, totals: bool = True) -> str:
    limit = small_cell_threshold()
    note = (
        f"Celler där nämnaren är 1–{limit - 1} visar ingen andel och sina antal som "
        f"”<{limit}” (små celler)."
    )
    if totals:
        note += (
            " Så visas också celler som annars skulle gå att räkna ut ur en summa och de "
            "övriga cellerna (sekundär röjandekontroll)."
        )
    return note


# --- Numbers -----------------------------------------------------------------------------


def _mean(total: int | None, count: int) -> float | None:
    """``total / count`` with one decimal, half up, counted in integers."""
    if not count or total is None:
        return None
    tenths, remainder = divmod(total * 10, count)
    if 2 * remainder >= count:
        tenths += 1
    return float(Decimal(tenths) / 10)


def percentile_cont(ordered: Sequence[float], fraction: float) -> float | None:
    """PostgreSQL's ``percentile_cont`` over values sorted in ascending order.

    The same arithmetic as PostgreSQL (``orderedsetaggs.c``), in the same
    floating-point steps, so both give the same number to the last bit.
    """
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    first, second = floor(position), ceil(position)
    low = float(ordered[first])
    if first == second:
        return low
    high = float(ordered[second])
    return low + (high - low) * (position - first)


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(fraction)``; nulls are ignored."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Expression | str, fraction: float, **extra: Any) -> None:
        # The fraction is one of our constants, never input: it goes into the SQL as a number.
        super().__init__(expression, fraction=float(fraction), **extra)


class DaysBetween(Func):
    """Whole days from ``start`` to ``end`` (two dates)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"  # PostgreSQL: date − date is a number of days
    output_field = IntegerField()

    def __init__(self, start: str, end: str) -> None:
        super().__init__(F(end), F(start))

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND(julianday(%(expressions)s)) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


Percentiles = dict[str, tuple[int, list[float | None]]]


def percentiles(
    queryset: QuerySet,
    *,
    values: Mapping[str, str | Expression],
    fractions: Sequence[float],
    group: str | Expression | None = None,
) -> dict[Any, Percentiles]:
    """Per group (the key None when ``group`` is None): for each named value, how many
    rows have one and its continuous percentiles (``percentile_cont``), nulls left out.

    PostgreSQL computes them itself in one grouped query. The embedded default,
    SQLite, has no percentile function: there they are computed from the values,
    read in order with one query per value.
    """
    if connections[queryset.db].vendor == "postgresql":
        return percentiles_in_database(queryset, values=values, fractions=fractions, group=group)
    return percentiles_from_values(queryset, values=values, fractions=fractions, group=group)


def _expression(value: str | Expression) -> Expression:
    return F(value) if isinstance(value, str) else value


def percentiles_in_database(
    queryset: QuerySet,
    *,
    values: Mapping[str, str | Expression],
    fractions: Sequence[float],
    group: str | Expression | None = None,
) -> dict[Any, Percentiles]:
    """``percentiles`` with PostgreSQL's ``percentile_cont``: one (grouped) query."""
    aggregates: dict[str, Aggregate] = {}
    for name, value in values.items():
        aggregates[f"{name}__n"] = Count(_expression(value))
        for index, fraction in enumerate(fractions):
            aggregates[f"{name}__{index}"] = PercentileCont(_expression(value), fraction)
    base = queryset.order_by()
    if group is None:
        rows = [{"percentile_group": None, **base.aggregate(**aggregates)}]
    else:
        rows = list(
            base.annotate(percentile_group=_expression(group))
            .values("percentile_group")
            .annotate(**aggregates)
        )
    # A group without a single value is left out, as the values leave it out below.
    return {
        row["percentile_group"]: {
            name: (row[f"{name}__n"], [row[f"{name}__{i}"] for i in range(len(fractions))])
            for name in values
        }
        for row in rows
        if any(row[f"{name}__n"] for name in values)
    }


def percentiles_from_values(
    queryset: QuerySet,
    *,
    values: Mapping[str, str | Expression],
    fractions: Sequence[float],
    group: str | Expression | None = None,
) -> dict[Any, Percentiles]:
    """``percentiles`` computed from the values, read in order (any database)."""
    result: dict[Any, Percentiles] = {}
    for name, value in values.items():
        base = queryset.order_by().annotate(percentile_value=_expression(value))
        base = base.filter(percentile_value__isnull=False)
        if group is None:
            ordered = list(base.order_by("percentile_value").values_list("percentile_value"))
            pairs: Iterable[tuple[Any, Any]] = ((None, value) for (value,) in ordered)
        else:
            pairs = (
                base.annotate(percentile_group=_expression(group))
                .order_by("percentile_group", "percentile_value")
                .values_list("percentile_group", "percentile_value")
            )
        for key, rows in groupby(pairs, key=lambda pair: pair[0]):
            sorted_values = [row[1] for row in rows]
            result.setdefault(key, {})[name] = (
                len(sorted_values),
                [percentile_cont(sorted_values, fraction) for fraction in fractions],
            )
    for figures in result.values():
        for name in values:
            figures.setdefault(name, (0, [None] * len(fractions)))
    return result


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _age_at_start() -> Expression:
    """Age in whole years on the placement's start date.

    The arithmetic of ``reports.outcomes.age_group_expression``: the dates as
    YYYYMMDD numbers, their difference divided by 10000. The cast makes it an
    integer division on PostgreSQL too, where EXTRACT gives a numeric.
    """

    def as_number(name: str) -> Expression:
        return ExtractYear(name) * 10000 + ExtractMonth(name) * 100 + ExtractDay(name)

    difference = as_number("start_date") - as_number("participant__birth_date")
    return Cast(difference, IntegerField()) / 10000


def _shown_job_types(used: Iterable[int]) -> list[JobType]:
    """The active job types, and the inactive ones that have figures this time."""
    used = set(used)
    return [
        jt for jt in JobType.objects.order_by("sort_order", "name") if jt.active or jt.pk in used
    ]


# --- Table 1: places per job type ---------------------------------------------------------

SETTING_HEADINGS = {
    Setting.ORDINARY: "Stockholmsjobb inom stadens ordinarie verksamheter",
    Setting.ADAPTED: "Stockholmsjobb med särskilt anpassade arbetsplatser",
}


def _length(job_type: JobType) -> str:
    months = (
        f"{job_type.max_months} mån"
        if job_type.min_months == job_type.max_months
        else f"{job_type.min_months}–{job_type.max_months} mån"
    )
    return f"{months}, kan förlängas" if job_type.extendable else months


def places_table(year: int) -> ReportTable:
    """Table 1: per job type, grouped by setting as the report does, with subtotals and total.

    Planned places (the year's PlacementTarget), placements started in the
    year, active on 31 December and ended in the year. Three queries. These
    are counts of places, not shares of people, so no cell is suppressed.
    """
    first, last = _year_bounds(year)
    counted = {
        row["job_type"]: row
        for row in Placement.objects.filter(start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .order_by()
        .values("job_type")
        .annotate(
            started=Count("pk", filter=Q(start_date__gte=first)),
            active=Count("pk", filter=Q(end_date__isnull=True) | Q(end_date__gte=last)),
            ended=Count("pk", filter=Q(end_date__lte=last)),
        )
    }
    targets = dict(PlacementTarget.objects.filter(year=year).values_list("job_type_id", "places"))
    job_types = _shown_job_types([*counted, *targets])
    table = ReportTable(
        slug="tabell-1",
        sheet="Tabell 1",
        title=f"Tabell 1 Sammanställning av olika typer av Stockholmsjobb {year}",
        subtitle=(
            f"Planerade platser, Stockholmsjobb som påbörjats {year}, pågick den 31 december "
            f"{year} och avslutats {year}, per typ av Stockholmsjobb."
        ),
        header=[
            "Arbetsplats",
            "Typ av Stockholmsjobb",
            "Målgrupp",
            "Längd på anställning",
            f"Planerade platser {year}",
            f"Påbörjade {year}",
            f"Pågående 31 december {year}",
            f"Avslutade {year}",
        ],
        formats=["text", "text", "text", "text", "count", "count", "count", "count"],
        notes=[
            "Pågående: påbörjat senast den 31 december och inte avslutat före den dagen.",
            "En deltagare med två Stockholmsjobb räknas en gång per anställning.",
            "Planerade platser saknas (tom cell) för en typ som inte har något mål för året.",
        ],
    )
    grand = _PlaceSums()
    for setting in Setting:
        sums = _PlaceSums()
        for job_type in (jt for jt in job_types if jt.setting == setting):
            row = counted.get(job_type.pk, {})
            figures = (
                targets.get(job_type.pk),
                row.get("started", 0),
                row.get("active", 0),
                row.get("ended", 0),
            )
            sums.add(*figures)
            table.rows.append(
                [
                    SETTING_HEADINGS[setting],
                    job_type.name,
                    job_type.target_group,
                    _length(job_type),
                    *figures,
                ]
            )
        table.rows.append([SETTING_HEADINGS[setting], "Summa", "", "", *sums.values()])
        grand.add(*sums.values())
    table.rows.append(["Samtliga", "Totalt", "", "", *grand.values()])
    return table


class _PlaceSums:
    def __init__(self) -> None:
        self.target: int | None = None
        self.started = self.active = self.ended = 0

    def add(self, target: int | None, started: int, active: int, ended: int) -> None:
        if target is not None:
            self.target = (self.target or 0) + target
        self.started += started
        self.active += active
        self.ended += ended

    def values(self) -> tuple[int | None, int, int, int]:
        return self.target, self.started, self.active, self.ended


# --- Tables 2 and 3: working or studying three months after -------------------------------

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
        _share(counts.work_unsubsidised, followed_up, hide=hide),
        cell["work_subsidised"],
        _share(counts.work_subsidised, followed_up, hide=hide),
        cell["studies"],
        _share(counts.studies, followed_up, hide=hide),
        _count(counts.work + counts.studies, hide),
        cell["share_work_or_studies"],
    ]


def _outcome_hidden(
    total: Sequence[OutcomeCounts], by_gender: Mapping[str, Sequence[OutcomeCounts]]
) -> dict[str, set[Key]]:
    """Per count (followed up, ended): the cells of tables 2 and 3 to hide.

    Table 2's period is the sum of table 3's women and men and of the
    participants of gender "annat", whom no table shows: their count is the
    total minus women and men, so it is protected like a hidden part.
    """
    cells: dict[Key, OutcomeCounts] = {}
    totals = []
    for index, counts in enumerate(total):
        cells["total", index] = counts
        for gender in Gender.values:
            cells[gender, index] = by_gender[gender][index]
        totals.append(Total(("total", index), tuple((g, index) for g in Gender.values)))
    unshown = [key for key in cells if key[0] not in ("total", *TABLE_3_GENDERS)]
    return {
        count: protected(
            {key: getattr(counts, count) for key, counts in cells.items()}, totals, unshown=unshown
        )
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
        notes=[*OUTCOME_NOTES, _suppression_note()],
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
            "Deltagare med kön ”annat” ingår i tabell 2 men redovisas inte separat.",
            _suppression_note(),
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


# --- Table 4: participants' characteristics -----------------------------------------------

EDUCATION_COLUMNS = {
    EducationLevel.PRIMARY: "Förgymnasial",
    EducationLevel.SECONDARY: "Gymnasial",
    EducationLevel.TERTIARY: "Eftergymnasial",
}


def _characteristics_aggregates() -> dict[str, Aggregate]:
    aggregates: dict[str, Aggregate] = {
        "started": Count("pk"),
        "age_total": Sum(_age_at_start()),
        "women": Count("pk", filter=Q(participant__gender=Gender.KVINNA)),
        "birth_known": Count("participant__foreign_born"),
        "foreign_born": Count("pk", filter=Q(participant__foreign_born=True)),
        "education_known": Count(
            "pk", filter=Q(participant__education_level__in=list(EDUCATION_COLUMNS))
        ),
    }
    for level in EDUCATION_COLUMNS:
        aggregates[f"education_{level}"] = Count("pk", filter=Q(participant__education_level=level))
    return aggregates


MONTHS_BEFORE = {
    "assistance": "participant__months_social_assistance_before",
    "unemployment": "participant__months_unemployed_before",
}


def characteristics_table(year: int) -> ReportTable:
    """Table 4: who started a placement in the year, per job type and in all.

    A placement counts once (a participant with two counts twice), with the
    participant's background as registered. Each share and median is over the
    placements whose participant has a known value, and that count stands next
    to it. Four queries.
    """
    first, last = _year_bounds(year)
    started = Placement.objects.filter(start_date__gte=first, start_date__lte=last)
    aggregates = _characteristics_aggregates()
    per_job_type = {
        row["job_type"]: row for row in started.order_by().values("job_type").annotate(**aggregates)
    }
    total = started.order_by().aggregate(**aggregates)
    medians = percentiles(started, values=MONTHS_BEFORE, fractions=(0.5,), group="job_type")
    median_total = percentiles(started, values=MONTHS_BEFORE, fractions=(0.5,))
    table = ReportTable(
        slug="tabell-4",
        sheet="Tabell 4",
        title=f"Tabell 4 Egenskaper för deltagare i Stockholmsjobb som påbörjats {year}",
        subtitle=(
            "Ålder vid anställningens start; bakgrund enligt deltagarens uppgifter vid "
            "inskrivningen. Andelar och medianer räknas på dem med känd uppgift."
        ),
        header=[
            "Typ av Stockholmsjobb",
            "Påbörjade",
            "Medelålder vid start (år)",
            "Kvinnor",
            "Kvinnor %",
            "Känt födelseland",
            "Utrikes födda",
            "Utrikes födda %",
            "Känd utbildningsnivå",
            *(heading for label in EDUCATION_COLUMNS.values() for heading in (label, f"{label} %")),
            "Känt antal månader med försörjningsstöd",
            "Median månader med försörjningsstöd före",
            "Känt antal månader som arbetslös",
            "Median månader inskriven arbetslös före",
        ],
        formats=[
            "text",
            "count",
            "decimal",
            "count",
            "share",
            "count",
            "count",
            "share",
            "count",
            *(["count", "share"] * len(EDUCATION_COLUMNS)),
            "count",
            "decimal",
            "count",
            "decimal",
        ],
        notes=[
            "Utbildningsnivåns andelar räknas på dem med känd nivå; ”okänd” ingår inte.",
            "Medianerna är kontinuerliga (percentile_cont): mellan två mittersta värden "
            "visas medelvärdet av dem.",
            _suppression_note(),
        ],
    )
    job_types = _shown_job_types(per_job_type)
    # Per row (a job type's id, or "all"): its figures and the counts that are denominators.
    figures: dict[Key, tuple[Mapping[str, Any], Percentiles]] = {
        job_type.pk: (per_job_type.get(job_type.pk, {}), medians.get(job_type.pk, {}))
        for job_type in job_types
    }
    figures["all"] = (total, median_total.get(None, {}))
    known = {key: _characteristics_denominators(*values) for key, values in figures.items()}
    # "Samtliga" is the sum of the job types shown (an inactive one with placements shows too).
    totals = [Total("all", tuple(job_type.pk for job_type in job_types))]
    hidden = {
        count: protected({key: values[count] for key, values in known.items()}, totals)
        for count in CHARACTERISTICS_DENOMINATORS
    }
    labels = {**{job_type.pk: job_type.name for job_type in job_types}, "all": "Samtliga"}
    for key, (row, row_medians) in figures.items():
        hide = {count: key in keys for count, keys in hidden.items()}
        table.rows.append(_characteristics_row(labels[key], row, row_medians, known[key], hide))
    return table


CHARACTERISTICS_DENOMINATORS = (
    "started",
    "birth_known",
    "education_known",
    *(f"{name}_known" for name in MONTHS_BEFORE),
)


def _characteristics_denominators(row: Mapping[str, Any], medians: Percentiles) -> dict[str, int]:
    counts = {name: row.get(name) or 0 for name in ("started", "birth_known", "education_known")}
    for name in MONTHS_BEFORE:
        counts[f"{name}_known"] = medians.get(name, (0, [None]))[0]
    return counts


def _characteristics_row(
    label: str,
    row: Mapping[str, Any],
    medians: Percentiles,
    known: Mapping[str, int],
    hide: Mapping[str, bool],
) -> list[Cell]:
    started, birth_known, education_known = (
        known["started"],
        known["birth_known"],
        known["education_known"],
    )
    women, foreign_born = row.get("women") or 0, row.get("foreign_born") or 0
    cells: list[Cell] = [
        label,
        _count(started, hide["started"]),
        _figure(_mean(row.get("age_total"), started), hide["started"]),
        _count(women, hide["started"]),
        _share(women, started, hide=hide["started"]),
        _count(birth_known, hide["birth_known"]),
        _count(foreign_born, hide["birth_known"]),
        _share(foreign_born, birth_known, hide=hide["birth_known"]),
        _count(education_known, hide["education_known"]),
    ]
    for level in EDUCATION_COLUMNS:
        count = row.get(f"education_{level}") or 0
        cells += [
            _count(count, hide["education_known"]),
            _share(count, education_known, hide=hide["education_known"]),
        ]
    for name in MONTHS_BEFORE:
        _known, (median,) = medians.get(name, (0, [None]))
        cells += [
            _count(known[f"{name}_known"], hide[f"{name}_known"]),
            _figure(one_decimal(median), hide[f"{name}_known"]),
        ]
    return cells


# --- Tables 6-8: register follow-up (SCB) ---------------------------------------------------

REGISTER_TABLES = (
    (
        "tabell-6",
        "Tabell 6",
        IncomeSource.SOCIAL_ASSISTANCE,
        "Ekonomiskt bistånd",
        "Tabell 6 Ekonomiskt bistånd som huvudsaklig inkomstkälla 2 år före avslutat "
        "Stockholmsjobb samt 1 respektive 2 år efter avslutat Stockholmsjobb. "
        "Åldersindelat deltagare under 30 år och deltagare över 30 år.",
    ),
    (
        "tabell-7",
        "Tabell 7",
        IncomeSource.EARNED_INCOME,
        "Förvärvsarbete",
        "Tabell 7 Förvärvsarbete som huvudsaklig inkomstkälla 2 år före avslutat "
        "Stockholmsjobb samt 1 respektive 2 år efter avslutat Stockholmsjobb. "
        "Åldersindelat deltagare under 30 år och deltagare över 30 år.",
    ),
    (
        "tabell-8",
        "Tabell 8",
        IncomeSource.STUDIES,
        "Studier",
        "Tabell 8 Studier som huvudsaklig inkomstkälla 2 år före avslutat Stockholmsjobb "
        "samt 1 respektive 2 år efter avslutat Stockholmsjobb. Åldersindelat deltagare "
        "under 30 år och deltagare över 30 år.",
    ),
)
# Years from the cohort year (the year the placements ended), as the report measures.
MEASUREMENT_POINTS = ((-2, "2 år före"), (1, "1 år efter"), (2, "2 år efter"))
# The keys are reports.outcomes.AGE_GROUPS.
AGE_GROUP_LABELS = {"<30": "Under 30 år", "30+": "30 år och äldre"}


def default_cohort_year(year: int) -> int:
    """The placements whose register follow-up a report of ``year`` shows: ended in year − 4.

    Tables 6-8 need the main income source two years after the end. SCB
    delivers a register year about two years after it (the city's report: the
    delivery of September 2021 reached 2019, for placements ended 2016-2017).
    A report of year Y is made early in Y+1, when the newest register year is
    Y−2: the placements ended in Y−4 are the latest with their +2 year in it.
    """
    return year - REGISTER_COHORT_LAG


def scb_consenting(participants: QuerySet[Participant]) -> QuerySet[Participant]:
    """THE filter of the register tables: participants whose current SCB consent is given.

    Only they count in tables 6-8; the rest of the cohort is reported as left out.
    """
    from participants.models import ConsentFlow
    from participants.selectors import participants_with_consent

    return participants_with_consent(ConsentFlow.SCB, participants)


def register_tables(cohort_year: int) -> list[ReportTable]:
    """Tables 6-8: main income source (SCB) of the people whose placement ended in the cohort
    year, two years before the end year and one and two years after, per age group.

    The unit is the person, as in SCB's follow-up: their register row is one
    per person and year, so a person counts once however many placements
    ended that year. The age group is the age on the placement's start date,
    as in every other breakdown (DESIGN §4, ``age_group_expression``): the
    under-30 group then holds the youth job types (up to 29 at the start)
    whole, instead of moving those who turn 30 during the job to the older
    group. Someone with two placements in different age groups counts in both
    groups, once in "Samtliga". Four queries serve all three tables.
    """
    first, last = _year_bounds(cohort_year)
    cohort = Placement.objects.filter(end_date__gte=first, end_date__lte=last)
    consenting = Q(participant__in=scb_consenting(Participant.objects.all()).values("pk"))
    people = {
        "persons": Count("participant", distinct=True),
        "consenting": Count("participant", distinct=True, filter=consenting),
    }
    grouped = cohort.annotate(age_group=age_group_expression()).order_by()
    cohort_counts: dict[str | None, dict] = {
        row["age_group"]: row for row in grouped.values("age_group").annotate(**people)
    }
    cohort_counts[None] = cohort.order_by().aggregate(**people)

    years = [cohort_year + offset for offset, _label in MEASUREMENT_POINTS]
    with_register = {
        "participant__register_outcomes__year__in": years,
    }
    register_values = {
        "register_year": F("participant__register_outcomes__year"),
        "income_source": F("participant__register_outcomes__income_source"),
    }
    found: dict[tuple[str | None, int, str], int] = {}
    for row in (
        grouped.filter(consenting, **with_register)
        .values("age_group", **register_values)
        .annotate(persons=Count("participant", distinct=True))
    ):
        found[row["age_group"], row["register_year"], row["income_source"]] = row["persons"]
    for row in (
        cohort.order_by()
        .filter(consenting, **with_register)
        .values(**register_values)
        .annotate(persons=Count("participant", distinct=True))
    ):
        found[None, row["register_year"], row["income_source"]] = row["persons"]

    groups: list[str | None] = [*AGE_GROUP_LABELS, None]
    registered = {
        (group, year): sum(n for (g, y, _source), n in found.items() if g == group and y == year)
        for group in groups
        for year in years
    }
    # "Samtliga" beside the two age groups: per year, the people with a register row are
    # protected like the parts of a sum (a person in both groups makes it less than one).
    totals = [Total(None, tuple(AGE_GROUP_LABELS))]
    hidden = {
        year: protected({group: registered[group, year] for group in groups}, totals)
        for year in years
    }

    # The cohort's own counts per age group. Those with consent are the sum of the
    # year's "with a row" and "without", so they are shown; small, they hide that
    # group's years too. Those without consent are everyone minus them: small,
    # they hide themselves and everyone.
    def cohort(group: str | None, key: str) -> int:
        return (cohort_counts.get(group) or {}).get(key) or 0

    consent_hidden = protected({group: cohort(group, "consenting") for group in groups}, totals)
    for year in years:
        hidden[year] |= consent_hidden
    people_hidden = protected(
        {group: cohort(group, "persons") - cohort(group, "consenting") for group in groups},
        totals,
    ) | protected({group: cohort(group, "persons") for group in groups}, totals)

    tables = []
    for slug, sheet, source, source_label, title in REGISTER_TABLES:
        header = [
            "Åldersgrupp",
            f"Avslutade {cohort_year} (personer)",
            "Utan samtycke till SCB-uppföljning (ej med)",
            "Med samtycke",
        ]
        formats = ["text", "count", "count", "count"]
        for offset, label in MEASUREMENT_POINTS:
            point = f"{label} ({cohort_year + offset})"
            header += [
                f"{point}: med registeruppgift",
                f"{point}: saknar registeruppgift",
                f"{point}: {source_label.lower()}",
                f"{point}: {source_label.lower()} %",
            ]
            formats += ["count", "count", "count", "share"]
        table = ReportTable(
            slug=slug,
            sheet=sheet,
            title=title,
            subtitle=(
                f"Personer vars Stockholmsjobb avslutades {cohort_year}; huvudsaklig "
                f"inkomstkälla enligt SCB {', '.join(str(y) for y in years[:-1])} och "
                f"{years[-1]}."
            ),
            header=header,
            formats=formats,
            notes=[
                "Endast deltagare som i dag har samtyckt till registeruppföljning via SCB "
                "ingår; övriga i kohorten redovisas som ”utan samtycke”.",
                "Andelen räknas på dem med en registeruppgift för året; de som saknar "
                "uppgift för året redovisas för sig.",
                "Åldersgrupp efter ålder när Stockholmsjobbet började. En person med två "
                "Stockholmsjobb i olika åldersgrupper räknas i båda men en gång i Samtliga.",
                _suppression_note(),
            ],
            charts=[
                Chart(
                    kind="column",
                    title=f"{source_label} som huvudsaklig inkomstkälla, avslutade {cohort_year}",
                    y_title="Andel (%)",
                    categories=(0, 0, 1),
                    series=[
                        (label, 7 + 4 * index, 0, 1)
                        for index, (_offset, label) in enumerate(MEASUREMENT_POINTS)
                    ],
                )
            ],
        )
        for group, label in [*AGE_GROUP_LABELS.items(), (None, "Samtliga")]:
            counts = cohort_counts.get(group) or {}
            persons = counts.get("persons") or 0
            consenting_persons = counts.get("consenting") or 0
            row: list[Cell] = [
                label,
                _count(persons, group in people_hidden),
                _count(persons - consenting_persons, group in people_hidden),
                _count(consenting_persons, group in consent_hidden),
            ]
            for register_year in years:
                with_row = registered[group, register_year]
                with_source = found.get((group, register_year, source), 0)
                # Those without a row are the consenting minus those with one: hidden alike.
                hide = group in hidden[register_year]
                row += [
                    _count(with_row, hide),
                    _count(consenting_persons - with_row, hide),
                    _count(with_source, hide),
                    _share(with_source, with_row, hide=hide),
                ]
            table.rows.append(row)
        tables.append(table)
    return tables


# --- The survey -------------------------------------------------------------------------

# The statements as the city's report words them; a statement added later shows its label.
SURVEY_STATEMENTS = {
    "staff_support": "Personalen ger mig det stöd jag behöver på arbetsplatsen",
    "staff_easy_to_reach": "Det är lätt att få kontakt med personalen",
    "staff_interested": "Personalen vill veta hur det går för mig",
    "staff_listen": "Personalen lyssnar på mig",
    "feel_better": "Jag mår bättre",
    "know_next_steps": "Jag vet vad jag behöver göra för att få jobb",
    "better_job_chances": "Jag har större chans att få jobb nu",
    "more_interested_in_studies": "Jag har blivit mer intresserad av att studera",
}
# The report compares these between those who studied during the job and those who did not.
SURVEY_BY_STUDIED = ("more_interested_in_studies", "better_job_chances")


def _statement(code: str) -> str:
    if code in SURVEY_STATEMENTS:
        return SURVEY_STATEMENTS[code]
    with translation.override("sv"):
        return statement_label(code)


def survey_table(year: int) -> ReportTable:
    """The survey (enkätundersökningen) of the rounds that opened in the year.

    The results are ``reports.survey_results``': the share answering "stämmer bra" or
    "stämmer ganska bra" of all who answered a statement ("vet ej" included),
    counted over every response of the year's rounds, and each round's
    response rate. Two queries.
    """
    first, last = _year_bounds(year)
    rounds = SurveyRound.objects.filter(opens_on__gte=first, opens_on__lte=last)
    rates = sorted(
        response_rates(rounds), key=lambda rate: (rate.survey_round.opens_on, rate.survey_round.pk)
    )
    table = ReportTable(
        slug="enkat",
        sheet="Enkät",
        title=f"Enkätundersökning bland deltagare i Stockholmsjobb {year}",
        subtitle=(
            "Svarsfrekvens per enkätomgång, och andel som svarat ”stämmer bra” eller "
            "”stämmer ganska bra” på enkätens påståenden."
        ),
        header=["Mått", "Antal", "Av", "Andel %"],
        formats=["text", "count", "count", "share"],
        notes=[
            "Svarsfrekvens: svar (på webben och på papper) av inbjudna.",
            "Påståendena: antal som svarat ”stämmer bra” eller ”stämmer ganska bra” av alla "
            "som svarat på påståendet, ”vet ej” inräknat.",
            "Har studerat: av dem som svarat ja eller nej på frågan.",
            _suppression_note(),
        ],
    )
    if not rates:
        table.notes.insert(0, f"Ingen enkätomgång startade {year}.")
        return table

    def add(label: str, count: int, denominator: int, hide: bool | None = None) -> None:
        hide = is_small(denominator) if hide is None else hide
        table.rows.append(
            [
                label,
                _count(count, hide),
                _count(denominator, hide),
                _share(count, denominator, hide=hide),
            ]
        )

    for rate in rates:
        add(f"Svarsfrekvens, {rate.survey_round.name}", rate.responses, rate.invitations)
    results = round_results(SurveyResponse.objects.filter(survey_round__in=rounds))
    # A statement's answers split by studied or not: the two groups and those who did not
    # say whether they studied (shown nowhere) add up to the statement's row.
    split_hidden: dict[str, set[Key]] = {}
    split = [code for code in SURVEY_BY_STUDIED if code in results.statements]
    for code in split:
        answered = {
            "all": results.statements[code].answered,
            **{studied: results.by_studied[studied][code].answered for studied in (True, False)},
        }
        answered["rest"] = answered["all"] - answered[True] - answered[False]
        split_hidden[code] = protected(
            answered, [Total("all", (True, False, "rest"))], unshown=["rest"]
        )
    for code, result in results.statements.items():
        hide = "all" in split_hidden[code] if code in split_hidden else None
        add(_statement(code), result.positive, result.answered, hide)
    add("Har studerat under anställningen", results.studied, results.studied_answered)
    for code in split:
        for studied, group in ((True, "har studerat"), (False, "har inte studerat")):
            result = results.by_studied[studied][code]
            label = f"{_statement(code)} ({group})"
            add(label, result.positive, result.answered, studied in split_hidden[code])
    return table


# --- Studies, learning goals, internships, wage subsidies ----------------------------------


def support_table(year: int) -> ReportTable:
    """Studies and internships during the placements ended in the year, and learning goals
    due in the year. Three queries.

    A study or internship counts for a placement when it is the same
    participant's and overlaps the placement's dates, whether or not the coach
    linked it to the placement.
    """
    first, last = _year_bounds(year)

    def during(model: type) -> Exists:
        overlapping = model.objects.filter(
            participant=OuterRef("participant"), start_date__lte=OuterRef("end_date")
        ).filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("start_date")))
        return Exists(overlapping)

    ended = (
        Placement.objects.filter(end_date__gte=first, end_date__lte=last)
        .order_by()
        .aggregate(
            ended=Count("pk"),
            studied=Count("pk", filter=Q(during(Study))),
            with_internship=Count("pk", filter=Q(during(Internship))),
        )
    )
    internships = Internship.objects.filter(start_date__gte=first, start_date__lte=last).count()
    goals = (
        LearningGoal.objects.filter(target_date__gte=first, target_date__lte=last)
        .order_by()
        .aggregate(due=Count("pk"), reached=Count("pk", filter=Q(status="reached")))
    )
    table = ReportTable(
        slug="studier-och-praktik",
        sheet="Studier och praktik",
        title=f"Andel som studerat under anställningen, lärandemål och praktik {year}",
        subtitle=(
            f"Stockholmsjobb som avslutats {year}, praktik som påbörjats {year} och "
            f"lärandemål med måldatum {year}."
        ),
        header=["Mått", "Antal", "Av", "Andel %"],
        formats=["text", "count", "count", "share"],
        notes=[
            "Studier och praktik räknas när de är deltagarens egna och pågick någon dag "
            "under anställningen.",
            _suppression_note(totals=False),
        ],
    )
    for label, count, denominator in (
        ("Avslutade Stockholmsjobb med studier under anställningen", "studied", "ended"),
        ("Avslutade Stockholmsjobb med minst en praktik", "with_internship", "ended"),
    ):
        table.rows.append(
            [
                label,
                _count(ended[count], is_small(ended[denominator])),
                _count(ended[denominator], is_small(ended[denominator])),
                _share(ended[count], ended[denominator], hide=is_small(ended[denominator])),
            ]
        )
    table.rows.append(["Praktikperioder som påbörjats under året", internships, None, None])
    table.rows.append(
        [
            "Lärandemål med måldatum under året som nåtts",
            _count(goals["reached"], is_small(goals["due"])),
            _count(goals["due"], is_small(goals["due"])),
            _share(goals["reached"], goals["due"], hide=is_small(goals["due"])),
        ]
    )
    return table


def subsidy_table(year: int) -> ReportTable:
    """Days from application to decision on wage subsidies, per year of decision: one query.

    Per decision year, so that every case decided in a year counts in it,
    also one applied for the year before; cases still waiting have no time yet.
    """
    first_year = year - YEARS_SHOWN + 1
    decided = WageSubsidyCase.objects.filter(
        decided_on__gte=datetime.date(first_year, 1, 1), decided_on__lte=_year_bounds(year)[1]
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
            _suppression_note(totals=False),
        ],
    )
    for decision_year in range(first_year, year + 1):
        count, (median, p90) = figures.get(decision_year, {}).get("days", (0, [None, None]))
        table.rows.append(
            [
                str(decision_year),
                _count(count, is_small(count)),
                _figure(one_decimal(median), is_small(count)),
                _figure(one_decimal(p90), is_small(count)),
            ]
        )
    return table


# --- The whole report ---------------------------------------------------------------------

StepCallback = Callable[[str, int], None]


def compute_tables(
    year: int, *, cohort_year: int | None = None, on_step: StepCallback | None = None
) -> list[ReportTable]:
    """Every table of the report of ``year``, in the order of the city's report."""
    cohort = default_cohort_year(year) if cohort_year is None else cohort_year

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
    return [places, table_2, table_3, characteristics, *register, survey, *support]


def years_with_data() -> list[int]:
    """The years a report can be made for: from the first placement's start to the last date."""
    bounds = Placement.objects.aggregate(
        first=Min("start_date"), last_start=Max("start_date"), last_end=Max("end_date")
    )
    if bounds["first"] is None:
        return []
    last = max(date for date in (bounds["last_start"], bounds["last_end"]) if date is not None)
    return list(range(bounds["first"].year, last.year + 1))


def default_year(years: Sequence[int], today: datetime.date | None = None) -> int:
    """The last full year, or the latest year with data before it."""
    last_full = (today or timezone.localdate()).year - 1
    earlier = [year for year in years if year <= last_full]
    return max(earlier) if earlier else last_full


# --- Building: the request and the task's function ------------------------------------------


def annual_report_request(
    *, year: int, requested_by: User | None = None, cohort_year: int | None = None
) -> AnnualReport:
    """Ask for the report of ``year`` to be built; the task is sent once this commits.

    A build already waiting or running for the year is left to finish (its
    row is returned as it is), unless it has been at it longer than any task
    may run: then its worker is gone and a new build starts. The previous
    report's files stay as they are until the new build succeeds.
    """
    from reports.tasks import build_annual_report_task

    now = timezone.now()
    cohort_year = default_cohort_year(year) if cohort_year is None else cohort_year
    with transaction.atomic():
        # get_or_create: two first requests for a year at once meet on the unique
        # year, and the second takes the first's row instead of failing.
        report, created = AnnualReport.objects.get_or_create(
            year=year, defaults={"requested_at": now, "cohort_year": cohort_year}
        )
        report = AnnualReport.objects.select_for_update().get(pk=report.pk)
        if not created and report.is_building and now - report.requested_at < _longest_build():
            return report
        report.cohort_year = cohort_year
        report.status = SnapshotStatus.QUEUED
        report.progress = 0
        report.step = AnnualReportStep.QUEUED
        report.requested_by = requested_by
        report.requested_at = now
        report.started_at = None
        report.finished_at = None
        report.error = ""
        report.save()
        transaction.on_commit(lambda: _enqueue_build(report.pk, build_annual_report_task))
    return report


def _longest_build() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def _enqueue_build(report_id: int, task) -> None:
    try:
        task.delay(report_id)
    except Exception as error:
        # The previous report stays downloadable; say why this build never ran.
        AnnualReport.objects.filter(pk=report_id, status=SnapshotStatus.QUEUED).update(
            status=SnapshotStatus.FAILED,
            error=f"Could not queue the build: {type(error).__name__}",
            finished_at=timezone.now(),
        )


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
    from reports.annual_xlsx import workbook_bytes

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
