"""Writes of the reports app: outcome snapshots."""

from django.db import transaction
from django.db.models import F
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import User
from placements.models import Placement
from reports.models import OutcomeCell, OutcomeSnapshot, SnapshotStatus
from reports.outcomes import age_group_expression, outcome_aggregates

CELL_BATCH = 5000
KEEP_SNAPSHOTS = 3


def snapshot_request(*, requested_by: User | None = None) -> OutcomeSnapshot:
    """A queued snapshot; the task that computes it is sent once this row is committed."""
    from reports.tasks import compute_snapshot_task

    snapshot = OutcomeSnapshot.objects.create(requested_by=requested_by)
    transaction.on_commit(lambda: _enqueue(snapshot.pk, compute_snapshot_task))
    return snapshot


def _enqueue(snapshot_id: int, task) -> None:
    try:
        task.delay(snapshot_id)
    except Exception as error:
        # The dashboard keeps showing the last snapshot; say why this one never ran.
        OutcomeSnapshot.objects.filter(pk=snapshot_id, status=SnapshotStatus.QUEUED).update(
            status=SnapshotStatus.FAILED,
            error=f"Could not queue the computation: {type(error).__name__}",
            finished_at=timezone.now(),
        )


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
    snapshot.refresh_from_db()
    return snapshot


def _write_cells(snapshot_id: int) -> tuple[int, int]:
    rows = (
        Placement.objects.filter(end_date__isnull=False)
        .annotate(
            cell_month=TruncMonth("end_date"),
            cell_age_group=age_group_expression(),
        )
        .order_by()
        .values(
            "cell_month",
            "cell_age_group",
            "funding",
            "job_type_id",
            cell_unit=F("participant__unit_id"),
            cell_gender=F("participant__gender"),
            cell_district=F("participant__district_id"),
            cell_setting=F("workplace__setting"),
        )
        .annotate(**outcome_aggregates())
    )
    cells = placements = 0
    batch: list[OutcomeCell] = []
    for row in rows.iterator(chunk_size=CELL_BATCH):
        batch.append(
            OutcomeCell(
                snapshot_id=snapshot_id,
                end_month=row["cell_month"],
                unit_id=row["cell_unit"],
                gender=row["cell_gender"],
                job_type_id=row["job_type_id"],
                age_group=row["cell_age_group"],
                district_id=row["cell_district"],
                setting=row["cell_setting"],
                funding=row["funding"],
                ended=row["ended"],
                followed_up=row["followed_up"],
                work_subsidised=row["work_subsidised"],
                work_unsubsidised=row["work_unsubsidised"],
                studies=row["studies"],
            )
        )
        placements += row["ended"]
        if len(batch) == CELL_BATCH:
            OutcomeCell.objects.bulk_create(batch)
            cells += len(batch)
            batch = []
    OutcomeCell.objects.bulk_create(batch)
    cells += len(batch)
    return cells, placements


def _delete_old_snapshots() -> None:
    keep = list(
        OutcomeSnapshot.objects.filter(status=SnapshotStatus.DONE)
        .order_by("-finished_at")
        .values_list("pk", flat=True)[:KEEP_SNAPSHOTS]
    )
    OutcomeSnapshot.objects.filter(status=SnapshotStatus.DONE).exclude(pk__in=keep).delete()
