"""An uploaded placements file on its way from the admin's browser to the worker.

The file waits in the default storage (``MEDIA_ROOT``, which nothing serves)
between the upload and the admin's confirmation, under a random name: the
name the admin's computer gave it may name a person. It is deleted when the
import has run or been cancelled, and a day after the upload at the latest
(``casework.import_jobs.placement_imports_purge``); the row stays, with
counts only, as the record of the import.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Under MEDIA_ROOT; the file name is random (casework.import_jobs).
UPLOAD_DIRECTORY = "placement-imports"
# A file nobody confirmed is deleted this long after its upload.
KEEP_UPLOADS = datetime.timedelta(days=1)


class ImportStatus(models.TextChoices):
    READY = "ready", _("Checked, waiting for confirmation")
    QUEUED = "queued", _("Waiting for a worker")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired without confirmation")


class ImportStage(models.TextChoices):
    """Where a running import is; the progress bar's label."""

    QUEUED = "queued", _("Waiting for a worker")
    READING = "reading", _("Reading the file")
    CHECKING = "checking", _("Checking every row again")
    WRITING = "writing", _("Writing")
    DONE = "done", _("Done")


class PlacementImport(models.Model):
    """One placements CSV uploaded in the browser: checked, previewed, confirmed and imported."""

    file = models.FileField(_("file"), upload_to=UPLOAD_DIRECTORY, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # New participants go to this unit; empty: the unit "Import" (created if absent).
    unit = models.ForeignKey(
        "participants.Unit",
        verbose_name=_("unit for new participants"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.READY
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    # ImportPreview's counts, and its first rows until the file goes.
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    stage = models.CharField(
        _("stage"), max_length=10, choices=ImportStage.choices, default=ImportStage.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    queued_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # ImportResult's counts.
    result = models.JSONField(_("result"), default=dict, blank=True)
    # The problems the import found when it checked the file again (the data had
    # changed since the preview): the first ones, until the file goes.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    problem_count = models.PositiveIntegerField(_("problems found"), default=0)
    # Why a run failed, for the server's operator: an exception's class, never its text.
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("placement import")
        verbose_name_plural = _("placement imports")
        indexes = [models.Index(fields=["status", "uploaded_at"], name="placementimport_status")]

    def __str__(self) -> str:
        return f"{self.pk} {self.status} {self.uploaded_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)

    @property
    def is_finished(self) -> bool:
        return not self.is_running and self.status != ImportStatus.READY
