"""Reads of the reports app: the dashboard's figures, from the latest snapshot."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Min, Q, QuerySet, Sum

from accounts.models import Role, User
from followup.selectors import open_followups
from placements.models import JobType, Placement, PlacementTarget
from reports.models import OutcomeCell, OutcomeSnapshot, PeriodFigure, SnapshotStatus
from reports.outcomes import OutcomeCounts
from reports.periods import ReportPeriod

CELL_COUNTS = ("ended", "followed_up", "work_subsidised", "work_unsubsidised", "studies")


@dataclass(frozen=True)
class DashboardFilters:
    job_type: JobType | None = None
    district_id: int | None = None
    setting: str = ""
    age_group: str = ""
    unit_id: int | None = None


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
    if filters.job_type is not None:
        qs = qs.filter(job_type=filters.job_type)
    if filters.district_id is not None:
        qs = qs.filter(district_id=filters.district_id)
    if filters.setting:
        qs = qs.filter(setting=filters.setting)
    if filters.age_group:
        qs = qs.filter(age_group=filters.age_group)
    return qs


def _month_key(value: datetime.date | str) -> tuple[int, int]:
    # SQLite hands back truncated months as text, PostgreSQL as dates.
    if isinstance(value, str):
        return int(value[:4]), int(value[5:7])
    return value.year, value.month


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
        month = _month_key(row["end_month"])
        indices = periods_of_month.get(month)
        if indices is None:
            day = datetime.date(month[0], month[1], 1)
            indices = [
                index
                for index, period in enumerate(periods)
                if period.window_start <= day <= period.window_end
            ]
            periods_of_month[month] = indices
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
            unit_name=F("placement__participant__unit__name"),
        )
        .annotate(overdue=Count("pk"), oldest_due=Min("due_date"))
        .order_by("-overdue", "coach_last_name")
    )
