import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SnapshotStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class OutcomeSnapshot(models.Model):
    """One computation of the outcome figures; dashboards read the latest finished one.

    The figures live in OutcomeCell rows: counts per month of placement end
    and per combination of the breakdown attributes, so that any report period
    and any dashboard filter is a sum over a small table instead of a pass
    over every placement.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=SnapshotStatus.choices, default=SnapshotStatus.QUEUED
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("computed"), null=True, blank=True)
    placements = models.PositiveIntegerField(_("placements counted"), default=0)
    cells = models.PositiveIntegerField(_("cells"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "finished_at"
        verbose_name = _("outcome snapshot")
        verbose_name_plural = _("outcome snapshots")
        indexes = [models.Index(fields=["status", "-finished_at"], name="snapshot_latest")]

    def __str__(self) -> str:
        return f"{self.pk} {self.status} {self.finished_at or self.created_at:%Y-%m-%d %H:%M}"


class OutcomeCell(models.Model):
    """Counts for the ended placements sharing one month and one set of attributes.

    Derived data, written in one statement from rows that exist: the foreign
    keys carry no database constraint, because checking a few hundred thousand
    of them at commit would double the time a snapshot takes. Deletes still
    cascade through the ORM.
    """

    snapshot = models.ForeignKey(
        OutcomeSnapshot, on_delete=models.CASCADE, related_name="outcome_cells", db_constraint=False
    )
    end_month = models.DateField()  # first day of the month the placements ended
    unit = models.ForeignKey(
        "participants.Unit", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    gender = models.CharField(max_length=6)
    job_type = models.ForeignKey(
        "placements.JobType", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    age_group = models.CharField(max_length=3)
    district = models.ForeignKey(
        "participants.District",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    setting = models.CharField(max_length=8)
    # The dashboard's funding filter (sdf or amf); it doubles the cells at most.
    funding = models.CharField(max_length=3)
    ended = models.PositiveIntegerField()
    followed_up = models.PositiveIntegerField()
    work_subsidised = models.PositiveIntegerField()
    work_unsubsidised = models.PositiveIntegerField()
    studies = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("outcome cell")
        verbose_name_plural = _("outcome cells")
        indexes = [models.Index(fields=["snapshot", "end_month"], name="outcomecell_month")]

    def __str__(self) -> str:
        return f"{self.snapshot_id} {self.end_month:%Y-%m}"


class PeriodFigure(models.Model):
    """A report period's counts for a scope (one unit, or all when unit is null).

    Rolled up from the cells when the snapshot is computed, so the dashboard's
    unfiltered view reads a few hundred rows whatever the data size.
    """

    snapshot = models.ForeignKey(
        OutcomeSnapshot, on_delete=models.CASCADE, related_name="period_figures"
    )
    unit = models.ForeignKey(
        "participants.Unit", null=True, on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(max_length=10)
    dimension = models.CharField(max_length=10)  # total, gender or job_type
    group = models.CharField(max_length=40, blank=True)
    ended = models.PositiveIntegerField()
    followed_up = models.PositiveIntegerField()
    work_subsidised = models.PositiveIntegerField()
    work_unsubsidised = models.PositiveIntegerField()
    studies = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("period figure")
        verbose_name_plural = _("period figures")
        indexes = [models.Index(fields=["snapshot", "unit"], name="periodfigure_scope")]

    def __str__(self) -> str:
        return f"{self.snapshot_id} {self.period} {self.dimension} {self.group}"


class AnnualReportStep(models.TextChoices):
    """Where a build of the annual report is; the page shows it under the progress bar."""

    QUEUED = "queued", _("Waiting for a worker")
    PLACES = "places", _("Places per job type")
    OUTCOMES = "outcomes", _("Work or studies three months after")
    CHARACTERISTICS = "characteristics", _("Participants' characteristics")
    REGISTER = "register", _("Register follow-up (SCB)")
    SURVEY = "survey", _("Survey results")
    SUPPORT = "support", _("Studies, learning goals, internships and wage subsidies")
    WORKBOOK = "workbook", _("Writing the workbook")
    DONE = "done", _("Done")


class AnnualReport(models.Model):
    """The annual report of one year: the latest build's state, and the last built files.

    One row per year. A rebuild resets the state fields (status, progress,
    step, error) but leaves ``tables``, ``xlsx`` and ``built_at`` alone until
    it succeeds, so the previous report stays downloadable while a rebuild
    runs and after one fails. The tables hold aggregates only, never a person.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    # The placements whose register follow-up (tables 6-8) the report shows: those ended this year.
    cohort_year = models.PositiveSmallIntegerField(_("register cohort year"))
    status = models.CharField(
        _("status"), max_length=8, choices=SnapshotStatus.choices, default=SnapshotStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(
        _("step"), max_length=16, choices=AnnualReportStep.choices, default=AnnualReportStep.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The last successful build: what the downloads serve.
    built_at = models.DateTimeField(_("built"), null=True, blank=True)
    built_cohort_year = models.PositiveSmallIntegerField(
        _("register cohort year of the built report"), null=True, blank=True
    )
    tables = models.JSONField(_("tables"), null=True, blank=True)
    xlsx = models.BinaryField(_("workbook"), blank=True, default=b"")

    class Meta:
        ordering = ["-year"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="annualreport_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=SnapshotStatus.values),
                name="annualreport_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100), name="annualreport_year_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.status}"

    @property
    def is_preliminary(self) -> bool:
        """Built before the year ended: the figures will still change."""
        return self.built_at is not None and timezone.localtime(
            self.built_at
        ).date() <= datetime.date(self.year, 12, 31)

    @property
    def is_building(self) -> bool:
        return self.status in (SnapshotStatus.QUEUED, SnapshotStatus.RUNNING)

    @property
    def is_built(self) -> bool:
        return self.built_at is not None
