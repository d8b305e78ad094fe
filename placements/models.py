import datetime

from dateutil.relativedelta import relativedelta
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Setting(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary workplace")
    ADAPTED = "adapted", _("Adapted workplace")


class JobType(models.Model):
    """A kind of Stockholmsjobb (table 1). Data, editable by admins."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    setting = models.CharField(_("setting"), max_length=8, choices=Setting.choices)
    target_group = models.CharField(_("target group"), max_length=300, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"))
    max_age = models.PositiveSmallIntegerField(_("maximum age"))
    min_months = models.PositiveSmallIntegerField(_("minimum length (months)"))
    max_months = models.PositiveSmallIntegerField(_("maximum length (months)"))
    extendable = models.BooleanField(_("extendable"), default=False)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("job type")
        verbose_name_plural = _("job types")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__lte=F("max_age")),
                name="jobtype_age_range",
                violation_error_message=_("The minimum age cannot exceed the maximum age."),
            ),
            models.CheckConstraint(
                condition=Q(min_months__gte=1, min_months__lte=F("max_months")),
                name="jobtype_length_range",
                violation_error_message=_("The minimum length cannot exceed the maximum length."),
            ),
            models.CheckConstraint(
                condition=Q(setting__in=Setting.values), name="jobtype_setting_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlacementTarget(models.Model):
    """Planned places for a job type in a year."""

    job_type = models.ForeignKey(
        JobType, verbose_name=_("job type"), on_delete=models.CASCADE, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    places = models.PositiveIntegerField(_("planned places"))

    class Meta:
        ordering = ["-year", "job_type__sort_order"]
        verbose_name = _("placement target")
        verbose_name_plural = _("placement targets")
        constraints = [
            models.UniqueConstraint(
                fields=["job_type", "year"],
                name="placementtarget_one_per_job_type_and_year",
                violation_error_message=_("This job type already has a target for that year."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="placementtarget_year_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job_type} {self.year}: {self.places}"


class OrganisationKind(models.TextChoices):
    CITY_DEPARTMENT = "city_department", _("City department (fackförvaltning)")
    DISTRICT_ADMINISTRATION = "district_administration", _("District administration")
    CITY_COMPANY = "city_company", _("City-owned company")
    PROCURED_SUPPLIER = "procured_supplier", _("Procured supplier")
    PRIVATE_EMPLOYER = "private_employer", _("Private employer")


class Workplace(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    organisation = models.CharField(_("administration or company"), max_length=200, blank=True)
    organisation_kind = models.CharField(
        _("organisation kind"),
        max_length=24,
        choices=OrganisationKind.choices,
        default=OrganisationKind.CITY_DEPARTMENT,
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    setting = models.CharField(
        _("setting"), max_length=8, choices=Setting.choices, default=Setting.ORDINARY
    )
    shortage_occupation = models.BooleanField(_("shortage occupation"), default=False)
    district = models.ForeignKey(
        "participants.District",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workplaces",
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("workplace")
        verbose_name_plural = _("workplaces")
        constraints = [
            models.CheckConstraint(
                condition=Q(setting__in=Setting.values), name="workplace_setting_valid"
            ),
            models.CheckConstraint(
                condition=Q(organisation_kind__in=OrganisationKind.values),
                name="workplace_organisation_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Funding(models.TextChoices):
    SDF = "sdf", _("District administration (Sdf)")
    AMF = "amf", _("Labour market administration (AMF)")


class EndReason(models.TextChoices):
    COMPLETED = "completed", _("Completed the planned period")
    WORK = "work", _("Left for work")
    STUDIES = "studies", _("Left for studies")
    ILLNESS = "illness", _("Illness")
    DISMISSED = "dismissed", _("Ended by employer")
    OWN_REQUEST = "own_request", _("Own request")
    OTHER = "other", _("Other")


class PlacementQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date) -> "PlacementQuerySet":
        return self.filter(start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )

    def ended_between(self, first: datetime.date, last: datetime.date) -> "PlacementQuerySet":
        return self.filter(end_date__gte=first, end_date__lte=last)


def follow_up_due_date(end_date: datetime.date) -> datetime.date:
    """Three calendar months after the end, clamped to the month's last day."""
    return end_date + relativedelta(months=3)


class Placement(models.Model):
    """A Stockholmsjobb: a temporary municipal employment."""

    participant = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="placements",
    )
    job_type = models.ForeignKey(
        JobType, verbose_name=_("job type"), on_delete=models.PROTECT, related_name="placements"
    )
    workplace = models.ForeignKey(
        Workplace, verbose_name=_("workplace"), on_delete=models.PROTECT, related_name="placements"
    )
    funding = models.CharField(
        _("funding"), max_length=3, choices=Funding.choices, default=Funding.SDF
    )
    start_date = models.DateField(_("start date"))
    planned_end_date = models.DateField(_("planned end date"), null=True, blank=True)
    extended_on = models.DateField(
        _("extended on"),
        null=True,
        blank=True,
        help_text=_("Date the extension was decided; the planned end date shows the new end."),
    )
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=12, choices=EndReason.choices, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "start_date"],
                name="placement_one_start_per_participant_and_day",
                violation_error_message=_(
                    "This participant already has a placement starting that day."
                ),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="placement_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(planned_end_date__isnull=True)
                | Q(planned_end_date__gte=F("start_date")),
                name="placement_planned_end_after_start",
                violation_error_message=_("The planned end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=False) | Q(end_reason=""),
                name="placement_end_reason_only_when_ended",
                violation_error_message=_("An end reason needs an end date."),
            ),
            models.CheckConstraint(
                condition=Q(funding__in=Funding.values), name="placement_funding_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_reason="") | Q(end_reason__in=EndReason.values),
                name="placement_end_reason_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["end_date", "job_type"], name="placement_end_job_type"),
            models.Index(fields=["start_date"], name="placement_start"),
            models.Index(fields=["workplace", "-start_date"], name="placement_workplace"),
            # A participant's status in the caseload: ongoing or ended placements.
            models.Index(fields=["participant", "end_date"], name="placement_participant_end"),
        ]

    def __str__(self) -> str:
        return f"{self.job_type} {self.start_date}"

    @property
    def has_ended(self) -> bool:
        return self.end_date is not None

    @property
    def follow_up_due(self) -> datetime.date | None:
        return follow_up_due_date(self.end_date) if self.end_date else None


MAX_INTERNSHIP_DAYS = 28


class Internship(models.Model):
    """Praktik with another employer during the placement: at most four weeks."""

    participant = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="internships",
    )
    placement = models.ForeignKey(
        Placement,
        verbose_name=_("placement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="internships",
    )
    employer = models.CharField(_("employer"), max_length=200)
    occupation = models.CharField(_("occupation"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("internship")
        verbose_name_plural = _("internships")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="internship_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(
                    end_date__lt=F("start_date") + datetime.timedelta(days=MAX_INTERNSHIP_DAYS)
                ),
                name="internship_at_most_four_weeks",
                violation_error_message=_("An internship lasts at most four weeks (28 days)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer} {self.start_date}"


class SubsidyOutcome(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    GRANTED = "granted", _("Granted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SubsidyKind(models.TextChoices):
    WAGE_SUBSIDY = "lonebidrag", _("Wage subsidy (lönebidrag)")
    NEW_START_JOB = "nystartsjobb", _("New start job (nystartsjobb)")
    INTRODUCTION_JOB = "introduktionsjobb", _("Introduction job (introduktionsjobb)")
    OTHER = "annat", _("Other employment support")


class WageSubsidyCase(models.Model):
    """An application to Arbetsförmedlingen for subsidised employment after the placement."""

    participant = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="wage_subsidy_cases",
    )
    placement = models.ForeignKey(
        Placement,
        verbose_name=_("placement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="wage_subsidy_cases",
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=SubsidyKind.choices, default=SubsidyKind.WAGE_SUBSIDY
    )
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    applied_on = models.DateField(_("applied on"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=SubsidyOutcome.choices, default=SubsidyOutcome.PENDING
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-applied_on", "-id"]
        verbose_name = _("wage-subsidy case")
        verbose_name_plural = _("wage-subsidy cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=F("applied_on")),
                name="wagesubsidy_decided_after_applied",
                violation_error_message=_("The decision cannot come before the application."),
            ),
            # A decision date and a decided outcome go together.
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True, outcome__in=["pending", "withdrawn"])
                | Q(decided_on__isnull=False, outcome__in=["granted", "rejected"]),
                name="wagesubsidy_outcome_matches_decision",
                violation_error_message=_(
                    "Granted or rejected needs a decision date; pending or withdrawn has none."
                ),
            ),
        ]
        indexes = [models.Index(fields=["applied_on"], name="wagesubsidy_applied")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.applied_on}"

    @property
    def processing_days(self) -> int | None:
        return (self.decided_on - self.applied_on).days if self.decided_on else None
