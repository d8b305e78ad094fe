"""Reads of the reports app: the dashboard's figures, from the latest snapshot."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.models import Role, User
from followup.selectors import open_followups
from placements.models import JobType, Placement, PlacementTarget
from reports.models import OutcomeCell, OutcomeSnapshot, SnapshotStatus
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


@dataclass
class Series:
    """Counts per period for one group (a gender, a job type, or everyone)."""

    label: str
    counts: list[OutcomeCounts] = field(default_factory=list)


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


def _period_sums(periods: list[ReportPeriod]) -> dict[str, Coalesce]:
    """One SUM per period and count: a cell belongs to every period whose window holds its month."""
    sums = {}
    for index, period in enumerate(periods):
        in_window = Q(end_month__gte=period.window_start, end_month__lte=period.window_end)
        for name in CELL_COUNTS:
            sums[f"p{index}_{name}"] = Coalesce(Sum(name, filter=in_window), 0)
    return sums


def _counts(row: dict, index: int) -> OutcomeCounts:
    values = {name: row[f"p{index}_{name}"] for name in CELL_COUNTS}
    return OutcomeCounts(work=values["work_subsidised"] + values["work_unsubsidised"], **values)


def counts_per_period(
    qs: QuerySet[OutcomeCell], periods: list[ReportPeriod], *, group_by: str | None = None
) -> dict[str, list[OutcomeCounts]]:
    """Counts of every period, in total (key "total") or per group: one query."""
    if not periods:
        return {}
    if group_by is None:
        row = qs.aggregate(**_period_sums(periods))
        return {"total": [_counts(row, i) for i in range(len(periods))]}
    rows = qs.values(group=F(group_by)).annotate(**_period_sums(periods)).order_by("group")
    return {row["group"]: [_counts(row, i) for i in range(len(periods))] for row in rows}


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
