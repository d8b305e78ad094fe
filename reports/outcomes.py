"""The programme's figure: the share working or studying three months after the placement.

Every number is counted by the database in one aggregate or one grouped query
(DESIGN §4 and §6), so the number of queries never grows with the data:
``outcome_reports`` counts any number of periods with every breakdown in one
statement (``GROUPING SETS`` with the period as a grouping key), plus two
small queries for the groups to list.
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Expression,
    F,
    Func,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import GreaterThanOrEqual

from core.numbers import percent
from followup.models import STUDY_OUTCOMES, WORK_OUTCOMES, Outcome
from participants.models import District, Gender
from placements.models import Funding, JobType, Placement, Setting
from reports.disclosure import hidden_text, is_small
from reports.periods import ReportPeriod

UNKNOWN_DISTRICT = "okand"
AGE_GROUPS = ("<30", "30+")
AGE_LIMIT = 30

DIMENSIONS = ("gender", "job_type", "age_group", "district", "setting", "funding")


def _as_number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@dataclass
class OutcomeCounts:
    """The counts of one cell: a period's total or one group of a breakdown."""

    ended: int = 0
    followed_up: int = 0
    work: int = 0
    work_subsidised: int = 0
    work_unsubsidised: int = 0
    studies: int = 0

    @property
    def share_work_or_studies(self) -> Decimal | None:
        """(work + studies) / followed-up; ``ej_nadd`` counts in the denominator."""
        return percent(self.work + self.studies, self.followed_up)

    @property
    def coverage(self) -> Decimal | None:
        """Followed-up / ended."""
        return percent(self.followed_up, self.ended)

    def as_dict(self) -> dict[str, int | float | None]:
        """The keys of DESIGN §5's ``total`` object, in its order; percentages as numbers."""
        # Not dataclasses.asdict: its deep copy costs more than the dashboard's other work.
        return {
            **{name: getattr(self, name) for name in COUNT_KEYS},
            "share_work_or_studies": _as_number(self.share_work_or_studies),
            "coverage": _as_number(self.coverage),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "OutcomeCounts":
        """Counts read back from ``as_dict()`` output (e.g. a stored snapshot)."""
        return cls(**{field.name: int(data[field.name]) for field in fields(cls)})


COUNT_KEYS = tuple(field.name for field in fields(OutcomeCounts))
GROUP_KEYS = (*COUNT_KEYS, "share_work_or_studies", "coverage")


def outcome_codes() -> dict[str, list[str] | None]:
    """Each count and the follow-up outcomes it counts (None: every ended placement).

    The constraint on FollowUp.outcome makes "one of the codes" the same as
    "registered"; a missing follow-up joins as NULL and is in none of them.
    """
    return {
        "ended": None,
        "followed_up": list(Outcome.values),
        "work": sorted(WORK_OUTCOMES),
        "work_subsidised": [Outcome.WORK_SUBSIDISED],
        "work_unsubsidised": [Outcome.WORK_UNSUBSIDISED],
        "studies": sorted(STUDY_OUTCOMES),
    }


def outcome_aggregates() -> dict[str, Count]:
    """``outcome_codes`` as the ORM's aggregates over placements."""
    return {
        name: Count("pk") if codes is None else Count("pk", filter=Q(followup__outcome__in=codes))
        for name, codes in outcome_codes().items()
    }


def _date_number(field: str) -> Expression:
    # 2019-05-01 → 20190501: comparable as numbers on every database.
    return ExtractYear(field) * 10000 + ExtractMonth(field) * 100 + ExtractDay(field)


class _AgedAtLeast(Func):
    """True when the participant is ``AGE_LIMIT`` or older on the placement's start date.

    Age in whole years is ``(start as YYYYMMDD − birth as YYYYMMDD) // 10000``, so
    "30 or older" is a difference of at least 300000, the same as
    ``birth_date <= start_date - relativedelta(years=30)``. Someone born on
    29 February turns 30 on 1 March in a year without that day. PostgreSQL
    says the latter directly (its date arithmetic clamps the same way), which
    costs much less than EXTRACT's numerics over many rows.
    """

    output_field = BooleanField()

    def __init__(self) -> None:
        difference = _date_number("start_date") - _date_number("participant__birth_date")
        super().__init__(
            GreaterThanOrEqual(difference, Value(AGE_LIMIT * 10000)),
            F("participant__birth_date"),
            F("start_date"),
        )

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_postgresql(self, compiler, connection, **extra_context):
        birth, birth_params = compiler.compile(self.source_expressions[1])
        start, start_params = compiler.compile(self.source_expressions[2])
        sql = f"({birth} <= {start} - INTERVAL '{int(AGE_LIMIT)} years')"
        return sql, [*birth_params, *start_params]


def age_group_expression() -> Expression:
    """``30+`` when the participant is 30 or older on the placement's start date, else ``<30``."""
    return Case(When(_AgedAtLeast(), then=Value("30+")), default=Value("<30"))


# What a placement is grouped by in each breakdown: a column of its own rows, so the
# database groups by narrow keys; ``_report_groups`` names each key's group.
DIMENSION_KEYS = {
    "gender": "participant__gender",
    "job_type": "job_type_id",
    "age_group": None,  # age_group_expression()
    "district": "participant__district_id",
    "setting": "workplace__setting",
    "funding": "funding",
}


def _dimension_key(dimension: str) -> Expression:
    if dimension == "age_group":
        return age_group_expression()
    return F(DIMENSION_KEYS[dimension])


def placements_ended_in(
    period: ReportPeriod, placements: QuerySet[Placement] | None = None
) -> QuerySet[Placement]:
    """The placements whose actual end date falls in the period's window.

    ``placements`` narrows the base set first (a unit's, a filtered dashboard's).
    """
    base = Placement.objects.all() if placements is None else placements
    return base.filter(end_date__gte=period.window_start, end_date__lte=period.window_end)


def _report_groups() -> dict[str, dict[Any, str]]:
    """Per breakdown, every group it lists, in order (zeros where nothing ended), by key.

    A job type no longer active has no group: its placements count in the
    total only. A participant without a district is in ``okand``.
    """
    job_types = JobType.objects.filter(active=True).order_by("sort_order", "pk")
    return {
        "gender": {value: value for value in Gender.values},
        "job_type": dict(job_types.values_list("pk", "code")),
        "age_group": {value: value for value in AGE_GROUPS},
        "district": {**dict(District.objects.values_list("pk", "code")), None: UNKNOWN_DISTRICT},
        "setting": {value: value for value in Setting.values},
        "funding": {value: value for value in Funding.values},
    }


def _period_rows(
    periods: list[ReportPeriod], placements: QuerySet[Placement] | None
) -> list[tuple]:
    """One statement: (dimension or None, *the six keys, *counts of period 0, *of 1, ...).

    The placements ended in any of the windows, with their breakdown keys
    (``DIMENSION_KEYS``), are counted once into cells of every combination
    of keys, each period's counts side by side
    (a placement in two overlapping windows counts in both); the cells, a few
    thousand at most, are then summed per breakdown: ``GROUPING SETS`` on
    PostgreSQL, a ``UNION ALL`` of grouped sums elsewhere.
    """
    first = min(period.window_start for period in periods)
    last = max(period.window_end for period in periods)
    base = Placement.objects.all() if placements is None else placements
    rows = (
        base.filter(end_date__gte=first, end_date__lte=last)
        .annotate(
            **{f"d_{name}": _dimension_key(name) for name in DIMENSIONS},
            outcome_code=F("followup__outcome"),
        )
        .order_by()
        .values("end_date", *(f"d_{name}" for name in DIMENSIONS), "outcome_code")
    )
    # The SQL below is put together from the ORM's own query and fixed names
    # (DIMENSIONS, column aliases); every value is a parameter (S608 noted).
    connection = connections[rows.db]
    inner_sql, inner_params = rows.query.sql_with_params()
    dimensions = ", ".join(f"r.d_{name}" for name in DIMENSIONS)
    counts, count_params, totals = [], [], []
    for number, period in enumerate(periods):
        for name, codes in outcome_codes().items():
            condition = "r.end_date >= %s AND r.end_date <= %s"
            count_params += [period.window_start, period.window_end]
            if codes is not None:
                condition += f" AND r.outcome_code IN ({', '.join('%s' for _ in codes)})"
                count_params += codes
            counts.append(f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS c_{number}_{name}")
            totals.append(f"SUM(c_{number}_{name})")
    cells = (
        f"WITH cells AS (SELECT {dimensions}, {', '.join(counts)} "  # noqa: S608
        f"FROM ({inner_sql}) r GROUP BY {dimensions}) "
    )
    params = [*count_params, *inner_params]
    if connection.vendor == "postgresql":
        # GROUPING(d) is 0 only where the row is grouped by d: it names the breakdown.
        dimension = (
            "CASE "
            + " ".join(f"WHEN GROUPING(d_{name}) = 0 THEN '{name}'" for name in DIMENSIONS)
            + " END"
        )
        keys = ", ".join(f"d_{name}" for name in DIMENSIONS)
        sets = ", ".join(["()", *(f"(d_{name})" for name in DIMENSIONS)])
        sql = (
            f"{cells}SELECT {dimension}, {keys}, {', '.join(totals)} "  # noqa: S608
            f"FROM cells GROUP BY GROUPING SETS ({sets})"
        )
    else:

        def keys(grouped: str | None) -> str:
            return ", ".join(f"d_{name}" if name == grouped else "NULL" for name in DIMENSIONS)

        parts = [f"SELECT NULL, {keys(None)}, {', '.join(totals)} FROM cells"]  # noqa: S608
        parts += [
            f"SELECT '{name}', {keys(name)}, {', '.join(totals)} "  # noqa: S608
            f"FROM cells GROUP BY d_{name}"
            for name in DIMENSIONS
        ]
        sql = cells + " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def outcome_reports(
    periods: list[ReportPeriod], *, placements: QuerySet[Placement] | None = None
) -> list[dict[str, Any]]:
    """The figures of each period as DESIGN §5's JSON object, with every breakdown.

    Every gender, every active job type (by sort order), both age groups, every
    district (and ``okand`` for none), both settings and both fundings appear,
    with zero counts when they have no placements. Inactive job types count in
    the total but have no key of their own. All periods are counted in one
    statement (``_period_rows``), so many periods cost about what one does.
    """
    if not periods:
        return []
    groups = _report_groups()
    cells: dict[tuple[int, str | None, str | None], OutcomeCounts] = {}
    width = len(COUNT_KEYS)
    for dimension, *values in _period_rows(periods, placements):
        keys, counts = values[: len(DIMENSIONS)], values[len(DIMENSIONS) :]
        group = None
        if dimension is not None:
            group = groups[dimension].get(keys[DIMENSIONS.index(dimension)])
            if group is None:  # a job type no longer active: in the total only
                continue
        for number in range(len(periods)):
            block = counts[number * width : (number + 1) * width]
            cells[number, dimension, group] = OutcomeCounts(*(int(n or 0) for n in block))
    reports = []
    for number, period in enumerate(periods):
        report: dict[str, Any] = {
            "period": period.label,
            "window_start": period.window_start.isoformat(),
            "window_end": period.window_end.isoformat(),
            "total": cells.get((number, None, None), OutcomeCounts()).as_dict(),
        }
        for dimension in DIMENSIONS:
            report[f"by_{dimension}"] = {
                group: cells.get((number, dimension, group), OutcomeCounts()).as_dict()
                for group in groups[dimension].values()
            }
        reports.append(report)
    return reports


def outcome_report(
    period: ReportPeriod, *, placements: QuerySet[Placement] | None = None
) -> dict[str, Any]:
    """The figures of one period (``outcome_reports``)."""
    return outcome_reports([period], placements=placements)[0]


def suppress(
    counts: OutcomeCounts | Mapping[str, Any],
    threshold: int | None = None,
    *,
    hide_followed_up: bool = False,
    hide_ended: bool = False,
) -> dict[str, int | str | float | None]:
    """A cell as dashboards and exported reports show it (DESIGN §4, small cells).

    When 1 to ``threshold − 1`` placements were followed up, the cell shows no
    share and no coverage, and its outcome counts as ``"<5"`` (the threshold in
    the text); its count of ended placements is hidden the same way when it is
    small, and the coverage with it. Zero stays 0 (the share is then null
    anyway). ``hide_followed_up`` and ``hide_ended`` hide those counts the same
    way whatever their size: secondary suppression (``reports.disclosure``)
    decides them, and a hidden cell looks the same whichever rule hid it.
    ``suppressed`` says whether anything was hidden. The command's output is
    exact and never uses this.
    """
    if not isinstance(counts, OutcomeCounts):
        counts = OutcomeCounts.from_dict(counts)
    hidden = hidden_text(threshold)
    cell: dict[str, int | str | float | None] = dict(counts.as_dict())
    followed_up_hidden = hide_followed_up or is_small(counts.followed_up, threshold)
    if followed_up_hidden:
        for key in ("followed_up", "work", "work_subsidised", "work_unsubsidised", "studies"):
            cell[key] = hidden
        cell["share_work_or_studies"] = None
        cell["coverage"] = None
    ended_hidden = hide_ended or is_small(counts.ended, threshold)
    if ended_hidden:
        # Followed-up over coverage would give the ended count back.
        cell["ended"] = hidden
        cell["coverage"] = None
    cell["suppressed"] = followed_up_hidden or ended_hidden
    return cell


def suppress_report(report: Mapping[str, Any], threshold: int | None = None) -> dict[str, Any]:
    """``outcome_report`` output with every cell (the total and each group) suppressed."""
    shown: dict[str, Any] = dict(report)
    shown["total"] = suppress(report["total"], threshold)
    for key, groups in report.items():
        if key.startswith("by_"):
            shown[key] = {group: suppress(cell, threshold) for group, cell in groups.items()}
    return shown
