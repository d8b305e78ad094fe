"""Placement imports from the browser: upload and check, confirm, run in a worker, clean up.

The rows are checked and written by :mod:`casework.placement_import`, the
code ``manage.py import_placements`` runs: the same rules, the same
messages, all or nothing, one bulk change in the access log. What this
module adds is the way there from a browser: the upload is checked at once
(:func:`placement_import_upload`) and kept only when it has no problem, the
admin confirms the preview (:func:`placement_import_start`), and a Celery
worker runs the import (:func:`placement_import_run`, the task
``casework.tasks.run_placement_import_task``), reporting its progress on the
row the page polls. The worker checks the file again first: the data may
have changed since the preview.
"""

import datetime
import logging
import uuid
from typing import Any

from celery import Task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from casework.models import KEEP_UPLOADS, ImportStage, ImportStatus, PlacementImport
from casework.placement_import import (
    ImportFailed,
    ImportPreview,
    ImportResult,
    Stage,
    check_placements,
    import_placements,
)
from participants.models import Unit

logger = logging.getLogger(__name__)

# The progress bar's share of each stage: reading, checking again, writing.
STAGE_SPANS: dict[str, tuple[int, int]] = {
    Stage.READING: (0, 30),
    Stage.CHECKING: (30, 50),
    Stage.WRITING: (50, 99),
}
STALE_ERROR = "stale"
QUEUE_ERROR = "queue"
PROBLEMS_ERROR = "problems"
DATABASE_ERROR = "database"
FILE_ERROR = "file"


# --- Upload and check --------------------------------------------------------------------


def _preview_data(preview: ImportPreview) -> dict[str, Any]:
    return {
        "participants_new": preview.participants_new,
        "participants_existing": preview.participants_existing,
        "placements_new": preview.placements_new,
        "placements_existing": preview.placements_existing,
        "workplaces_new": preview.workplaces_new,
        "followups_given": preview.followups_given,
        "gender_other_rows": preview.gender_other_rows,
        "ignored_columns": list(preview.ignored_columns),
        "first_rows": [
            {
                "row": row.row,
                "personnummer": row.personnummer,
                "first_name": row.first_name,
                "last_name": row.last_name,
                "job_type": row.job_type,
                "workplace": row.workplace,
                "start_date": row.start_date.isoformat(),
                "end_date": row.end_date.isoformat() if row.end_date else "",
                "new_participant": row.new_participant,
                "new_placement": row.new_placement,
            }
            for row in preview.first_rows
        ],
    }


def placement_import_upload(
    *, upload: UploadedFile, unit: Unit | None, uploaded_by: User
) -> PlacementImport:
    """Check an uploaded placements file; keep it, with its preview, when it has no problem.

    Raises ImportFailed listing every problem, as the command does; then
    nothing is kept. The kept file gets a random name: the upload's own
    name may name a person.
    """
    preview = check_placements(upload)
    upload.seek(0)
    job = PlacementImport(
        uploaded_by=uploaded_by,
        unit=unit,
        size=upload.size or 0,
        rows=preview.rows,
        preview=_preview_data(preview),
    )
    job.file.save(f"{uuid.uuid4().hex}.csv", upload, save=False)
    try:
        job.save()
    except BaseException:
        job.file.delete(save=False)
        raise
    return job


# --- Confirm, cancel ---------------------------------------------------------------------


def placement_import_start(*, placement_import: PlacementImport, task: Task) -> None:
    """Queue a checked import for a worker; ValidationError unless it is waiting to be confirmed.

    One UPDATE on the waiting row, so of two confirmations (two tabs, a
    double click) one queues the import and the other is refused.
    """
    queued = PlacementImport.objects.filter(
        pk=placement_import.pk, status=ImportStatus.READY
    ).update(
        status=ImportStatus.QUEUED,
        stage=ImportStage.QUEUED,
        progress=0,
        queued_at=timezone.now(),
    )
    if not queued:
        raise ValidationError(
            _("This import is no longer waiting for confirmation."), code="not_ready"
        )
    transaction.on_commit(lambda: _send(placement_import.pk, task))


def _send(pk: int, task: Task) -> None:
    # Made on first use (not at start-up), the app must exist before a task is sent.
    import core.celery  # noqa: F401

    try:
        task.delay(pk)
    except Exception as error:
        logger.error("placement import %s could not be queued: %s", pk, type(error).__name__)
        _finish(pk, ImportStatus.FAILED, error=QUEUE_ERROR, only_if_status=ImportStatus.QUEUED)


def placement_import_cancel(*, placement_import: PlacementImport) -> None:
    """Forget a checked import that was not confirmed: its file goes at once."""
    cancelled = PlacementImport.objects.filter(
        pk=placement_import.pk, status=ImportStatus.READY
    ).update(status=ImportStatus.CANCELLED, finished_at=timezone.now())
    if not cancelled:
        raise ValidationError(
            _("This import is no longer waiting for confirmation."), code="not_ready"
        )
    _delete_file(placement_import.pk)


# --- The run -----------------------------------------------------------------------------


class _ProgressRecorder:
    """Writes an import's stage and percentage on its row, as the import reports them.

    While the import writes, its own transaction would hide the row's
    updates from the page until the end; on PostgreSQL the progress then goes
    through a second connection of its own. (SQLite allows one writer: there
    the row shows the progress up to the writing, then the result.)
    """

    def __init__(self, pk: int, rows: int) -> None:
        self.pk = pk
        self.rows = max(rows, 1)
        self.shown: tuple[str, int] | None = None
        self._side: BaseDatabaseWrapper | None = None

    def __call__(self, stage: str, done: int) -> None:
        first, last = STAGE_SPANS[stage]
        percent = first + (last - first) * min(done, self.rows) // self.rows
        if self.shown == (stage, percent):
            return
        self.shown = (stage, percent)
        if connection.in_atomic_block and connection.vendor == "postgresql":
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {PlacementImport._meta.db_table} "  # noqa: S608 - our table's name
                    "SET stage = %s, progress = %s WHERE id = %s",
                    [stage, percent, self.pk],
                )
        else:
            PlacementImport.objects.filter(pk=self.pk).update(stage=stage, progress=percent)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def _result_data(result: ImportResult) -> dict[str, Any]:
    return {
        "rows": result.rows,
        "participants_created": result.participants_created,
        "participants_updated": result.participants_updated,
        "placements_created": result.placements_created,
        "placements_updated": result.placements_updated,
        "followups_registered": result.followups_registered,
        "followups_opened": result.followups_opened,
        "workplaces_created": result.workplaces_created,
        "gender_other_rows": result.gender_other_rows,
    }


def _finish(
    pk: int, status: str, *, only_if_status: str | None = None, **fields: Any
) -> PlacementImport:
    """Record how an import ended, and delete its file; unchanged if it was not in that status."""
    rows = PlacementImport.objects.filter(pk=pk)
    if only_if_status is not None:
        rows = rows.filter(status=only_if_status)
    if rows.update(status=status, finished_at=timezone.now(), **fields):
        _delete_file(pk)
    return PlacementImport.objects.get(pk=pk)


def _delete_file(pk: int) -> None:
    """The uploaded file goes; the preview's rows (names) with it."""
    placement_import = PlacementImport.objects.get(pk=pk)
    if placement_import.file:
        placement_import.file.delete(save=False)
    preview = {**placement_import.preview, "first_rows": []}
    PlacementImport.objects.filter(pk=pk).update(file="", preview=preview)


def _open(placement_import: PlacementImport) -> Any:
    """The kept file, open for reading; None if it is not there."""
    if not placement_import.file:
        return None
    try:
        return placement_import.file.open("rb")
    except FileNotFoundError:
        return None


def placement_import_run(*, import_id: int) -> PlacementImport:
    """Import a confirmed file, all or nothing, reporting progress on the row; then delete it.

    Safe to run twice: an import that is not waiting or running is left
    alone, and one cut off (its worker lost) starts again from the file,
    whose writing was rolled back with its transaction. Problems the
    second check finds and errors are kept on the row in words the page
    can show; nothing of the file is written then.
    """
    placement_import = PlacementImport.objects.select_related("uploaded_by", "unit").get(
        pk=import_id
    )
    if not placement_import.is_running:
        return placement_import
    PlacementImport.objects.filter(pk=import_id).update(
        status=ImportStatus.RUNNING,
        stage=ImportStage.READING,
        progress=0,
        started_at=timezone.now(),
        error="",
    )
    stream = _open(placement_import)
    if stream is None:
        # Deleted by hand, or a storage this worker does not share with the web server.
        logger.error("placement import %s: its file is not there", import_id)
        return _finish(import_id, ImportStatus.FAILED, error=FILE_ERROR)
    recorder = _ProgressRecorder(import_id, placement_import.rows)
    try:
        with stream:
            result = import_placements(
                stream,
                imported_by=placement_import.uploaded_by,
                unit=placement_import.unit,
                on_progress=recorder,
            )
    except ImportFailed as failure:
        return _finish(
            import_id,
            ImportStatus.FAILED,
            error=PROBLEMS_ERROR,
            problems=failure.shown,
            problem_count=len(failure.errors),
        )
    except DatabaseError as error:
        # Not the database's words on the row: they may quote a personnummer.
        logger.warning("placement import %s refused by the database", import_id, exc_info=True)
        return _finish(
            import_id, ImportStatus.FAILED, error=f"{DATABASE_ERROR}: {type(error).__name__}"
        )
    except Exception as error:
        logger.exception("placement import %s failed", import_id)
        return _finish(import_id, ImportStatus.FAILED, error=type(error).__name__[:200])
    finally:
        recorder.close()
    return _finish(
        import_id,
        ImportStatus.DONE,
        stage=ImportStage.DONE,
        progress=100,
        result=_result_data(result),
    )


# --- Clean-up ----------------------------------------------------------------------------


def longest_run() -> datetime.timedelta:
    """No task runs longer than Celery's hard time limit: past it, its worker is gone."""
    return datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def placement_imports_purge() -> int:
    """Delete what must not stay; return how many imports it touched. Safe to call on any page.

    - A file nobody confirmed goes a day after its upload (the import expires).
    - An import waiting or running for longer than any task may run has lost
      its worker: it fails, and its file goes.
    - The problems listed by a failed run (they may quote names) go a day
      after it finished.
    """
    now = timezone.now()
    touched = 0
    for pk in PlacementImport.objects.filter(
        status=ImportStatus.READY, uploaded_at__lt=now - KEEP_UPLOADS
    ).values_list("pk", flat=True):
        _finish(pk, ImportStatus.EXPIRED, only_if_status=ImportStatus.READY)
        touched += 1
    for pk in PlacementImport.objects.filter(
        status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING),
        queued_at__lt=now - longest_run(),
    ).values_list("pk", flat=True):
        _finish(pk, ImportStatus.FAILED, error=STALE_ERROR)
        touched += 1
    touched += (
        PlacementImport.objects.filter(finished_at__lt=now - KEEP_UPLOADS)
        .exclude(problems=[])
        .update(problems=[])
    )
    return touched


def failure_reason(placement_import: PlacementImport) -> str:
    """Why an import failed, in words for the page (never an exception's text)."""
    if placement_import.status != ImportStatus.FAILED:
        return ""
    error = placement_import.error
    if error == PROBLEMS_ERROR:
        return _(
            "When the file was checked again before writing, it had problems: the data had "
            "changed since the preview. Nothing was imported. Correct the file and upload it again."
        )
    if error == STALE_ERROR:
        return _("It stopped without finishing: its worker was lost. Nothing was imported.")
    if error == QUEUE_ERROR:
        return _("It could not be queued: the task queue did not answer. Nothing was imported.")
    if error.startswith(DATABASE_ERROR):
        return _(
            "The database refused the import; another change to the same records may have come "
            "first. Nothing was imported. Upload the file again."
        )
    if error == FILE_ERROR:
        return _("The worker could not read the uploaded file. Nothing was imported.")
    return _("An error stopped it; nothing was imported. The error is in the server's log.")
