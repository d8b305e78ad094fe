"""Outcome snapshots: the queued row, and computing it (the work of reports.tasks).

Below reports.tasks, which runs ``snapshot_compute``: the task to send is
passed to ``snapshot_queue`` by whoever sends it (``reports.services`` for a
page, the scheduled task for beat), so nothing here imports the tasks.
"""

import datetime

from celery import Task
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from accounts.models import User
from placements.models import Placement
from reports.background import fail_stale, send_on_commit
from reports.models import OutcomeCell, OutcomeSnapshot, PeriodFigure, SnapshotStatus
from reports.outcomes import age_group_expression, outcome_aggregates
from reports.periods import current_period, periods_between
from reports.selectors import CELL_COUNTS, rollup

CELL_BATCH = 5000
KEEP_SNAPSHOTS = 3


def snapshot_queue(*, task: Task, requested_by: User | None = None) -> OutcomeSnapshot:
    """A queued snapshot; ``task``, which computes it, is sent once this row is committed."""
    snapshot = OutcomeSnapshot.objects.create(requested_by=requested_by)
    # The dashboard keeps showing the last snapshot; a failure to queue is said on the row.
    send_on_commit(OutcomeSnapshot, snapshot.pk, task)
    return snapshot


def snapshots_fail_stale() -> int:
    """Mark as failed every computation that has outlived any task's time limit; how many."""
    return fail_stale(OutcomeSnapshot.objects.all(), "created_at")


def snapshot_in_progress() -> OutcomeSnapshot | None:
    """What the dashboard says about new figures: the computation waiting or running, or
    else one that failed after the latest good snapshot (with its reason); None if neither."""
    snapshots_fail_stale()
    latest = OutcomeSnapshot.objects.exclude(status=SnapshotStatus.DONE).order_by("-created_at")
    newest_done = (
        OutcomeSnapshot.objects.filter(status=SnapshotStatus.DONE)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if newest_done is not None:
        latest = latest.filter(created_at__gt=newest_done)
    return latest.first()


def snapshot_compute(*, snapshot_id: int) -> OutcomeSnapshot:
    """Count every ended placement into cells of (month, unit and breakdown attributes).

    One grouped query over the placements, then bulk inserts. Running it again
    for a snapshot that is already done changes nothing.
    """
    snapshot = OutcomeSnapshot.objects.get(pk=snapshot_id)
    if snapshot.status == SnapshotStatus.DONE:
        return snapshot
    OutcomeSnapshot.objects.filter(pk=snapshot_id).update(
        status=SnapshotStatus.RUNNING, started_at=timezone.now(), error=""
    )
    try:
        with transaction.atomic():
            # A retried run starts from nothing rather than adding to half a result.
            OutcomeCell.objects.filter(snapshot_id=snapshot_id).delete()
            cells, placements = _write_cells(snapshot_id)
            _write_period_figures(snapshot_id)
            OutcomeSnapshot.objects.filter(pk=snapshot_id).update(
                status=SnapshotStatus.DONE,
                finished_at=timezone.now(),
                cells=cells,
                placements=placements,
            )
    except Exception as error:
        OutcomeSnapshot.objects.filter(pk=snapshot_id).update(
            status=SnapshotStatus.FAILED, finished_at=timezone.now(), error=repr(error)[:2000]
        )
        raise
    _delete_old_snapshots()
    _refresh_statistics()
    snapshot.refresh_from_db()
    return snapshot


def _refresh_statistics() -> None:
    """Let PostgreSQL's planner know the new snapshot's cells before the next page asks.

    Until autovacuum gets to it, the planner takes a new snapshot for one row
    and sorts its cells on disk to group them; a filtered dashboard then reads
    every cell of the snapshot (its coarser views) several times slower.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(OutcomeCell._meta.db_table)}")


CELL_COLUMNS = (
    "end_month",
    "unit_id",
    "gender",
    "job_type_id",
    "age_group",
    "district_id",
    "setting",
    "funding",
    "ended",
    "followed_up",
    "work_subsidised",
    "work_unsubsidised",
    "studies",
)


def _write_cells(snapshot_id: int) -> tuple[int, int]:
    """Group every ended placement into cells with one INSERT … SELECT.

    The database does the grouping and the writing; no placement and no cell
    passes through Python, which keeps 300,000 placements within seconds.
    """
    grouped = (
        Placement.objects.filter(end_date__isnull=False)
        .order_by()
        .values(
            c_end_month=TruncMonth("end_date"),
            c_unit_id=F("participant__unit_id"),
            c_gender=F("participant__gender"),
            c_job_type_id=F("job_type_id"),
            c_age_group=age_group_expression(),
            c_district_id=F("participant__district_id"),
            c_setting=F("workplace__setting"),
            c_funding=F("funding"),
        )
        .annotate(**{f"c_{name}": aggregate for name, aggregate in outcome_aggregates().items()})
    )
    select_sql, params = grouped.query.sql_with_params()
    table = connection.ops.quote_name(OutcomeCell._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in ("snapshot_id", *CELL_COLUMNS))
    picked = ", ".join(f"grouped.c_{c}" for c in CELL_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT %s, {picked} FROM ({select_sql}) grouped",  # noqa: S608 - names are ours, values are parameters
            [snapshot_id, *params],
        )
    totals = OutcomeCell.objects.filter(snapshot_id=snapshot_id).aggregate(
        cells=Count("pk"), placements=Coalesce(Sum("ended"), 0)
    )
    return totals["cells"], totals["placements"]


FIGURE_DIMENSIONS = {"total": None, "gender": "gender", "job_type": "job_type_id"}


def _write_period_figures(snapshot_id: int) -> int:
    """Roll the cells up into every report period, per unit and for all units."""
    cells = OutcomeCell.objects.filter(snapshot_id=snapshot_id)
    months = cells.aggregate(first=Min("end_month"), last=Max("end_month"))
    if months["first"] is None:
        return 0
    today = timezone.localdate()
    latest = current_period(today)
    first_year = _month_year(months["first"])
    periods = [
        p
        for p in periods_between(first_year, max(_month_year(months["last"]) + 1, today.year))
        if p.window_end <= latest.window_end
    ]
    # One pass over the cells; each breakdown is rolled up from the same rows.
    rows = list(
        cells.order_by()
        .values("unit_id", "end_month", "gender", "job_type_id")
        .annotate(**{name: Sum(name) for name in CELL_COUNTS})
    )
    figures: list[PeriodFigure] = []
    for unit_id, scope_rows in _scopes(rows):
        for dimension, field_name in FIGURE_DIMENSIONS.items():
            series = rollup(scope_rows, periods, group_key=field_name)
            for group, counts_list in series.items():
                for period, counts in zip(periods, counts_list, strict=True):
                    if counts.ended == 0:
                        continue
                    figures.append(
                        PeriodFigure(
                            snapshot_id=snapshot_id,
                            unit_id=unit_id,
                            period=period.label,
                            dimension=dimension,
                            group="" if field_name is None else str(group),
                            ended=counts.ended,
                            followed_up=counts.followed_up,
                            work_subsidised=counts.work_subsidised,
                            work_unsubsidised=counts.work_unsubsidised,
                            studies=counts.studies,
                        )
                    )
    PeriodFigure.objects.bulk_create(figures, batch_size=CELL_BATCH)
    return len(figures)


def _month_year(value: datetime.date | str) -> int:
    return int(value[:4]) if isinstance(value, str) else value.year


def _scopes(rows: list[dict]):
    """Each unit's rows, then every row once more for the scope of all units (None)."""
    by_unit: dict[int, list[dict]] = {}
    for row in rows:
        by_unit.setdefault(row["unit_id"], []).append(row)
    yield from by_unit.items()
    yield None, rows


def _delete_old_snapshots() -> None:
    keep = list(
        OutcomeSnapshot.objects.filter(status=SnapshotStatus.DONE)
        .order_by("-finished_at")
        .values_list("pk", flat=True)[:KEEP_SNAPSHOTS]
    )
    OutcomeSnapshot.objects.filter(status=SnapshotStatus.DONE).exclude(pk__in=keep).delete()
