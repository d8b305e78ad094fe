from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    WORK_UNSUBSIDISED = "arbete_osubventionerat", _("Work, unsubsidised")
    WORK_SUBSIDISED = "arbete_subventionerat", _("Work, subsidised")
    STUDIES = "studier", _("Studies")
    JOB_SEEKER = "arbetssokande", _("Job seeker")
    OTHER_PROGRAMME = "annan_insats", _("Other programme")
    SICK_LEAVE = "sjukskriven", _("On sick leave")
    PARENTAL_LEAVE = "foraldraledig", _("On parental leave")
    NOT_REACHED = "ej_nadd", _("Not reached")


WORK_OUTCOMES = frozenset({Outcome.WORK_UNSUBSIDISED, Outcome.WORK_SUBSIDISED})
STUDY_OUTCOMES = frozenset({Outcome.STUDIES})


class FollowUp(models.Model):
    """The three-month follow-up of an ended placement."""

    placement = models.OneToOneField(
        "placements.Placement",
        verbose_name=_("placement"),
        on_delete=models.CASCADE,
        related_name="followup",
    )
    due_date = models.DateField(_("due date"))
    performed_on = models.DateField(_("performed on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)
    employer_or_school = models.CharField(_("employer or school"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("performed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            # An outcome and the date it was established are registered together.
            models.CheckConstraint(
                condition=Q(outcome="", performed_on__isnull=True)
                | (~Q(outcome="") & Q(performed_on__isnull=False)),
                name="followup_outcome_with_date",
                violation_error_message=_(
                    "An outcome needs the date of the follow-up, and a date needs an outcome."
                ),
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=Outcome.values),
                name="followup_outcome_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_date"], name="followup_due", condition=Q(performed_on__isnull=True)
            ),
            models.Index(fields=["outcome"], name="followup_outcome"),
            models.Index(
                fields=["placement"],
                name="followup_open_placement",
                condition=Q(performed_on__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.placement_id}: {self.due_date}"

    @property
    def is_done(self) -> bool:
        return self.performed_on is not None


class IncomeSource(models.TextChoices):
    EARNED_INCOME = "forvarvsarbete", _("Earned income")
    STUDIES = "studier", _("Studies")
    UNEMPLOYMENT = "arbetsloshet", _("Unemployment")
    SOCIAL_ASSISTANCE = "ekonomiskt_bistand", _("Social assistance")
    LABOUR_MARKET_PROGRAMME = "arbetsmarknadspolitisk_atgard", _("Labour market programme")
    OTHER = "ovrigt", _("Other")


class RegisterOutcome(models.Model):
    """A participant's main income source in a year, from an SCB register extract."""

    participant = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="register_outcomes",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    income_source = models.CharField(
        _("main income source"), max_length=30, choices=IncomeSource.choices
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        ordering = ["participant", "year"]
        verbose_name = _("register outcome")
        verbose_name_plural = _("register outcomes")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "year"], name="registeroutcome_one_per_participant_and_year"
            ),
            models.CheckConstraint(
                condition=Q(income_source__in=IncomeSource.values),
                name="registeroutcome_income_source_valid",
            ),
        ]
        indexes = [models.Index(fields=["year"], name="registeroutcome_year")]

    def __str__(self) -> str:
        return f"{self.year}: {self.get_income_source_display()}"


class Agreement(models.TextChoices):
    AGREE = "stammer_bra", _("Agree")
    SOMEWHAT_AGREE = "stammer_ganska_bra", _("Somewhat agree")
    SOMEWHAT_DISAGREE = "stammer_ganska_daligt", _("Somewhat disagree")
    DISAGREE = "stammer_daligt", _("Disagree")
    DONT_KNOW = "vet_ej", _("Don't know")


def _statement(label: str) -> models.CharField:
    return models.CharField(label, max_length=24, choices=Agreement.choices, blank=True)


class SurveyResponse(models.Model):
    """One answer to the participant survey.

    Stored without a link to the person unless they agreed to one; the job
    type is kept so results can be broken down.
    """

    survey_round = models.CharField(_("survey round"), max_length=20)
    job_type = models.ForeignKey(
        "placements.JobType",
        verbose_name=_("job type"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    participant = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("participant (only with consent)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    staff_respectful = _statement(_("Staff treat me with respect"))
    staff_listen = _statement(_("Staff listen to me"))
    staff_available = _statement(_("I can get hold of my coach when I need to"))
    staff_support = _statement(_("I get the support I need"))
    job_meaningful = _statement(_("My job feels meaningful"))
    job_learning = _statement(_("I learn things I will use later"))
    job_confidence = _statement(_("The job has given me more self-confidence"))
    job_closer_to_work = _statement(_("I am closer to a job or studies now"))
    studied_during_placement = models.BooleanField(
        _("studied during the job"), null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    on_paper = models.BooleanField(_("collected on paper"), default=False)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["survey_round"], name="survey_round")]

    def __str__(self) -> str:
        return f"{self.survey_round} #{self.pk}"


class ReminderSent(models.Model):
    """One reminder e-mail a coach received on a day; makes the reminder task idempotent."""

    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coach"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    sent_on = models.DateField(_("sent on"))
    overdue = models.PositiveIntegerField(_("overdue follow-ups"))
    due_soon = models.PositiveIntegerField(_("follow-ups due within a week"))

    class Meta:
        ordering = ["-sent_on"]
        verbose_name = _("follow-up reminder")
        verbose_name_plural = _("follow-up reminders")
        constraints = [
            models.UniqueConstraint(fields=["coach", "sent_on"], name="reminder_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.coach_id} {self.sent_on}"
