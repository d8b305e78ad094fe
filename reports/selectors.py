"""Reads of the reports app: the dashboard's figures, from the latest snapshot."""

import datetime
import operator
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, F, Min, Q, QuerySet, Sum

from accounts.models import Role, User
from followup.selectors import open_followups
from placements.models import JobType, Placement, PlacementTarget, SubsidyOutcome, WageSubsidyCase
from reports.models import OutcomeCell, OutcomeSnapshot, PeriodFigure, SnapshotStatus
from reports.outcomes import OutcomeCounts
from reports.periods import ReportPeriod

CELL_COUNTS = ("ended", "followed_up", "work_subsidised", "work_unsubsidised", "studies")
# The counts a reader can subtract between views (the outcome counts follow followed-up),
# in the order FilteredFigures reads them.
SUBTRACTABLE_COUNTS = ("followed_up", "ended")
FILTER_FIELDS = ("job_type", "district_id", "setting", "age_group", "chosen_unit_id", "funding")


@dataclass(frozen=True)
class DashboardFilters:
    """One view of the dashboard: the filters chosen, within a scope.

    ``unit_id`` is a scope nobody chooses: a coach sees their own unit's
    figures and nothing else, so a coach's views are compared within it.
    ``chosen_unit_id`` is a filter: a manager or an admin, who sees every
    unit's figures, picks one unit, and that view is compared with the view
    of all units like any other coarser view (``reports.disclosure``).
    """

    job_type: JobType | None = None
    district_id: int | None = None
    setting: str = ""
    age_group: str = ""
    unit_id: int | None = None
    chosen_unit_id: int | None = None
    funding: str = ""

    def applied(self) -> list[str]:
        """The filters a user chose (the scope's unit is not one)."""
        return [name for name in FILTER_FIELDS if getattr(self, name)]

    def condition(self) -> Q:
        """The cells of this view, within its unit scope."""
        condition = Q()
        if self.chosen_unit_id is not None:
            condition &= Q(unit_id=self.chosen_unit_id)
        if self.funding:
            condition &= Q(funding=self.funding)
        if self.job_type is not None:
            condition &= Q(job_type=self.job_type)
        if self.district_id is not None:
            condition &= Q(district_id=self.district_id)
        if self.setting:
            condition &= Q(setting=self.setting)
        if self.age_group:
            condition &= Q(age_group=self.age_group)
        return condition


_UNFILTERED = DashboardFilters()


def coarser_views(filters: DashboardFilters) -> list[DashboardFilters]:
    """Every other view a user can ask for that holds all of this view's placements.

    Each subset of the applied filters, from the next coarser to none at all;
    for a job type without a setting filter, also the same views with the job
    type replaced by its setting. At most 63 for the six filters (2^6 − 1),
    plus 32 with the job type's setting; 11 for three filters one of which is
    a job type: bounded whatever the data.
    """
    applied = filters.applied()
    views = [
        replace(filters, **{name: getattr(_UNFILTERED, name) for name in dropped})
        for size in range(1, len(applied) + 1)
        for dropped in combinations(applied, size)
    ]
    if filters.job_type is not None and not filters.setting:
        setting = filters.job_type.setting
        views += [
            replace(view, job_type=None, setting=setting)
            for view in [filters, *views]
            if view.job_type is not None
        ]
    return views


def latest_snapshot() -> OutcomeSnapshot | None:
    return (
        OutcomeSnapshot.objects.filter(status=SnapshotStatus.DONE).order_by("-finished_at").first()
    )


def figures_unit_for(user: User) -> int | None:
    """Coaches see their own unit's figures; managers and admins see every unit."""
    if user.has_role(Role.ADMIN) or user.has_role(Role.MANAGER):
        return None
    return user.unit_id if user.unit_id else -1


def cells(snapshot: OutcomeSnapshot, filters: DashboardFilters) -> QuerySet[OutcomeCell]:
    qs = OutcomeCell.objects.filter(snapshot=snapshot)
    if filters.unit_id is not None:
        qs = qs.filter(unit_id=filters.unit_id)
    return qs.filter(filters.condition())


def _month_key(value: datetime.date | str) -> tuple[int, int]:
    # SQLite hands back truncated months as text, PostgreSQL as dates.
    if isinstance(value, str):
        return int(value[:4]), int(value[5:7])
    return value.year, value.month


def _periods_of(
    month_value: datetime.date | str,
    periods: list[ReportPeriod],
    cache: dict[tuple[int, int], list[int]],
) -> list[int]:
    """The indices of the periods whose window holds the month (memoised per call)."""
    month = _month_key(month_value)
    indices = cache.get(month)
    if indices is None:
        day = datetime.date(month[0], month[1], 1)
        indices = cache[month] = [
            index
            for index, period in enumerate(periods)
            if period.window_start <= day <= period.window_end
        ]
    return indices


def rollup(
    rows: Iterable[dict], periods: list[ReportPeriod], *, group_key: str | None = None
) -> dict[Any, list[OutcomeCounts]]:
    """Sum month rows into report periods: a month counts in every period whose window holds it.

    ``rows`` are already aggregated per month (and group), so this loop is
    bounded by months × groups, never by the number of placements.
    """
    periods_of_month: dict[tuple[int, int], list[int]] = {}
    result: dict[Any, list[OutcomeCounts]] = {}
    for row in rows:
        indices = _periods_of(row["end_month"], periods, periods_of_month)
        if not indices:
            continue
        key = row[group_key] if group_key else "total"
        series = result.get(key)
        if series is None:
            series = result[key] = [OutcomeCounts() for _ in periods]
        for index in indices:
            counts = series[index]
            counts.ended += row["ended"]
            counts.followed_up += row["followed_up"]
            counts.work_subsidised += row["work_subsidised"]
            counts.work_unsubsidised += row["work_unsubsidised"]
            counts.work += row["work_subsidised"] + row["work_unsubsidised"]
            counts.studies += row["studies"]
    return result


def month_rows(qs: QuerySet[OutcomeCell], *, group_by: str | None = None) -> QuerySet[dict]:
    """Cells summed per month (and group): one grouped query."""
    fields = ["end_month", group_by] if group_by else ["end_month"]
    return qs.order_by().values(*fields).annotate(**{name: Sum(name) for name in CELL_COUNTS})


class CellFigures:
    """Figures from the snapshot's cells, for any filter.

    One grouped query (per month, gender and job type) serves the total and
    both breakdowns: the rows are few, and the cells are read once.
    """

    def __init__(self, qs: QuerySet[OutcomeCell]) -> None:
        self.qs = qs
        self._rows: list[dict] | None = None

    def counts(
        self, periods: list[ReportPeriod], *, group_by: str | None = None
    ) -> dict[Any, list[OutcomeCounts]]:
        if self._rows is None:
            self._rows = list(
                self.qs.order_by()
                .values("end_month", "gender", "job_type_id")
                .annotate(**{name: Sum(name) for name in CELL_COUNTS})
            )
        field_name = {"job_type": "job_type_id"}.get(group_by, group_by)
        return rollup(self._rows, periods, group_key=field_name)

    def coarser_counts(
        self, periods: list[ReportPeriod], *, group_by: str | None = None
    ) -> list[dict[Any, list[OutcomeCounts]]]:
        """One queryset is one view: there is nothing coarser to compare with."""
        return []


class FilteredFigures:
    """A filtered view's figures, and the subtractable counts of every coarser view.

    One grouped query over the scope's cells (per month, gender and job type)
    sums the view and each coarser view (``coarser_views``) with a filter on
    the aggregate, so the page runs the same single query whatever the filters
    and the data. The coarser views' followed-up and ended counts serve only to
    decide what the filtered page must hide (``reports.disclosure``).
    """

    def __init__(self, scope: QuerySet[OutcomeCell], filters: DashboardFilters) -> None:
        self.scope = scope
        self.filters = filters
        self.views = coarser_views(filters)
        self._rows: list[tuple[Any, str, int, tuple[int, ...]]] | None = None
        self._series: dict[tuple, dict[Any, list[list[int]]]] = {}

    def _load(self) -> list[tuple[Any, str, int, tuple[int, ...]]]:
        if self._rows is None:
            own = self.filters.condition() or None
            # Prefixed names: an annotation named like a field would shadow it for the next Sum.
            aggregates = {f"own_{name}": Sum(name, filter=own, default=0) for name in CELL_COUNTS}
            for index, view in enumerate(self.views):
                condition = view.condition() or None
                for name in SUBTRACTABLE_COUNTS:
                    aggregates[f"view{index}_{name}"] = Sum(name, filter=condition, default=0)
            grouped = (
                self.scope.order_by()
                .values("end_month", "gender", "job_type_id")
                .annotate(**aggregates)
                .values_list("end_month", "gender", "job_type_id", *aggregates)
            )
            try:
                sql, params = grouped.query.sql_with_params()
            except EmptyResultSet:  # no snapshot yet
                self._rows = []
                return self._rows
            # Read with a plain cursor: Django's per-value converters would cost
            # more than the query for some 2,000 rows of 40 sums.
            with connections[grouped.db].cursor() as cursor:
                cursor.execute(sql, params)
                self._rows = [(row[0], row[1], row[2], row[3:]) for row in cursor.fetchall()]
        return self._rows

    def _rolled_up(
        self, periods: list[ReportPeriod], group_by: str | None
    ) -> dict[Any, list[list[int]]]:
        # Each row's counts of every view are added as one vector: months × groups
        # × periods additions, not one pass per view.
        cache_key = (tuple(periods), group_by)
        if cache_key in self._series:
            return self._series[cache_key]
        if group_by is None:
            # The total is the sum of the genders: no second pass over the rows.
            by_gender = self._rolled_up(periods, "gender").values()
            result = {
                "total": [
                    [sum(column) for column in zip(*vectors, strict=True)]
                    for vectors in zip(*by_gender, strict=True)
                ]
            }
            if not by_gender:
                result = {}
        else:
            position = {"gender": 1, "job_type": 2}[group_by]
            periods_of_month: dict[tuple[int, int], list[int]] = {}
            # Months first (a month is in about three periods), then periods.
            months: dict[tuple, list[int]] = {}
            for row in self._load():
                if not _periods_of(row[0], periods, periods_of_month):
                    continue
                key = (row[position], _month_key(row[0]))
                summed = months.get(key)
                months[key] = row[3] if summed is None else list(map(operator.add, summed, row[3]))
            result = {}
            for (group, month), vector in months.items():
                series = result.get(group)
                if series is None:
                    series = result[group] = [[0] * len(vector) for _ in periods]
                for index in periods_of_month[month]:
                    series[index] = list(map(operator.add, series[index], vector))
        self._series[cache_key] = result
        return result

    def counts(
        self, periods: list[ReportPeriod], *, group_by: str | None = None
    ) -> dict[Any, list[OutcomeCounts]]:
        own = slice(0, len(CELL_COUNTS))
        return {
            key: [_own_counts(dict(zip(CELL_COUNTS, v[own], strict=True))) for v in series]
            for key, series in self._rolled_up(periods, group_by).items()
        }

    def coarser_counts(
        self, periods: list[ReportPeriod], *, group_by: str | None = None
    ) -> list[dict[Any, list[OutcomeCounts]]]:
        """Per coarser view, in the order of ``self.views``: followed-up and ended only."""
        series_by_key = self._rolled_up(periods, group_by)
        views = []
        for index in range(len(self.views)):
            # The columns of _load: the own counts, then (followed up, ended) per view.
            followed_up = len(CELL_COUNTS) + index * len(SUBTRACTABLE_COUNTS)
            ended = followed_up + 1
            views.append(
                {
                    key: [OutcomeCounts(followed_up=v[followed_up], ended=v[ended]) for v in series]
                    for key, series in series_by_key.items()
                }
            )
        return views


def _own_counts(values: dict[str, int]) -> OutcomeCounts:
    return OutcomeCounts(work=values["work_subsidised"] + values["work_unsubsidised"], **values)


class PeriodFigures:
    """Figures rolled up when the snapshot was computed, for an unfiltered scope: one query."""

    def __init__(self, snapshot: OutcomeSnapshot, unit_id: int | None) -> None:
        self._by_key: dict[tuple[str, str, str], OutcomeCounts] = {}
        for row in PeriodFigure.objects.filter(snapshot=snapshot, unit_id=unit_id).values(
            "period", "dimension", "group", *CELL_COUNTS
        ):
            values = {name: row[name] for name in CELL_COUNTS}
            counts = OutcomeCounts(
                work=values["work_subsidised"] + values["work_unsubsidised"], **values
            )
            self._by_key[(row["period"], row["dimension"], row["group"])] = counts

    def coarser_counts(
        self, periods: list[ReportPeriod], *, group_by: str | None = None
    ) -> list[dict[Any, list[OutcomeCounts]]]:
        """An unfiltered scope is the coarsest view a user can ask for."""
        return []

    def counts(
        self, periods: list[ReportPeriod], *, group_by: str | None = None
    ) -> dict[Any, list[OutcomeCounts]]:
        dimension = group_by or "total"
        groups = {g for (_, d, g) in self._by_key if d == dimension}
        return {
            (int(group) if dimension == "job_type" else group or "total"): [
                self._by_key.get((p.label, dimension, group), OutcomeCounts()) for p in periods
            ]
            for group in groups
        }


class UnitFigures:
    """One unit chosen and nothing else: its rolled-up figures, and all units' as the one
    coarser view. Two reads of a few hundred rows instead of a pass over every cell;
    the same figures as ``FilteredFigures`` with the unit as its only filter."""

    def __init__(self, snapshot: OutcomeSnapshot, unit_id: int) -> None:
        self.own = PeriodFigures(snapshot, unit_id)
        self.all_units = PeriodFigures(snapshot, None)

    def counts(
        self, periods: list[ReportPeriod], *, group_by: str | None = None
    ) -> dict[Any, list[OutcomeCounts]]:
        return self.own.counts(periods, group_by=group_by)

    def coarser_counts(
        self, periods: list[ReportPeriod], *, group_by: str | None = None
    ) -> list[dict[Any, list[OutcomeCounts]]]:
        return [self.all_units.counts(periods, group_by=group_by)]


def counts_per_period(
    qs: QuerySet[OutcomeCell], periods: list[ReportPeriod], *, group_by: str | None = None
) -> dict[Any, list[OutcomeCounts]]:
    """Counts of every period, in total (key "total") or per group of a cell field."""
    return rollup(month_rows(qs, group_by=group_by), periods, group_key=group_by)


def places_in_use(*, year: int, today: datetime.date, unit_id: int | None) -> list[dict]:
    """Per active job type: the year's target, placements active today and started this year."""
    placements = Placement.objects.all()
    if unit_id is not None:
        placements = placements.filter(participant__unit_id=unit_id)
    counted = {
        row["job_type"]: row
        for row in placements.order_by()
        .values("job_type")
        .annotate(
            active=Count(
                "pk",
                filter=Q(start_date__lte=today)
                & (Q(end_date__isnull=True) | Q(end_date__gte=today)),
            ),
            started=Count("pk", filter=Q(start_date__year=year)),
        )
    }
    targets = dict(PlacementTarget.objects.filter(year=year).values_list("job_type_id", "places"))
    return [
        {
            "job_type": job_type,
            "target": targets.get(job_type.pk),
            "active": counted.get(job_type.pk, {}).get("active", 0),
            "started": counted.get(job_type.pk, {}).get("started", 0),
        }
        for job_type in JobType.objects.filter(active=True)
    ]


def overdue_followups_per_coach(*, today: datetime.date, unit_id: int | None) -> list[dict]:
    """Open follow-ups past their due date, per coach (a coach of None = nobody assigned)."""
    qs = open_followups().filter(due_date__lt=today)
    if unit_id is not None:
        qs = qs.filter(placement__participant__unit_id=unit_id)
    return list(
        qs.values(
            coach_id=F("placement__participant__coach"),
            coach_first_name=F("placement__participant__coach__first_name"),
            coach_last_name=F("placement__participant__coach__last_name"),
            unit_id=F("placement__participant__unit"),
            unit_name=F("placement__participant__unit__name"),
        )
        .annotate(overdue=Count("pk"), oldest_due=Min("due_date"))
        .order_by("-overdue", "coach_last_name")
    )


def subsidies_waiting_per_coach(*, unit_id: int | None) -> list[dict]:
    """Wage-subsidy applications awaiting Arbetsförmedlingen's decision, per coach of the
    participant (None = nobody assigned): how many, and the oldest application first.

    Withdrawn applications wait for nothing; decided ones have their time in
    ``reports.annual.subsidies.processing_times``. One grouped query.
    """
    qs = WageSubsidyCase.objects.filter(outcome=SubsidyOutcome.PENDING)
    if unit_id is not None:
        qs = qs.filter(participant__unit_id=unit_id)
    return list(
        qs.values(
            coach_id=F("participant__coach"),
            coach_first_name=F("participant__coach__first_name"),
            coach_last_name=F("participant__coach__last_name"),
            unit_id=F("participant__unit"),
            unit_name=F("participant__unit__name"),
        )
        .annotate(waiting=Count("pk"), oldest_applied=Min("applied_on"))
        .order_by("oldest_applied", "coach_last_name", "coach_first_name")
    )
