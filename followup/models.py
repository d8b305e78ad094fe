from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
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


# The survey's statements, as in the source document's "Enkätundersökning":
# four on how the staff treat the participant (bemötande) and four on what
# the job meant (anställningens betydelse). The field names are the codes the
# paper import's columns use.
STAFF_STATEMENTS: tuple[str, ...] = (
    "staff_support",
    "staff_easy_to_reach",
    "staff_interested",
    "staff_listen",
)
JOB_STATEMENTS: tuple[str, ...] = (
    "feel_better",
    "know_next_steps",
    "better_job_chances",
    "more_interested_in_studies",
)
STATEMENTS: tuple[str, ...] = STAFF_STATEMENTS + JOB_STATEMENTS


class SurveyResponse(models.Model):
    """One answer to the participant survey, on the web or on paper.

    Stored without a link to the person unless they asked for one; the round
    and the job type are kept so results can be counted and broken down. The
    date has no time of day, so an anonymous answer cannot be matched to the
    moment an invitation was used (see survey.models.SurveyInvitation).
    """

    survey_round = models.ForeignKey(
        "survey.SurveyRound",
        verbose_name=_("survey round"),
        on_delete=models.PROTECT,
        related_name="responses",
    )
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
    staff_support = _statement(_("The staff give me the support I need at the workplace"))
    staff_easy_to_reach = _statement(_("It is easy to get in touch with the staff"))
    staff_interested = _statement(_("The staff want to know how I am doing"))
    staff_listen = _statement(_("The staff listen to me"))
    feel_better = _statement(_("I feel better"))
    know_next_steps = _statement(_("I know what I need to do to get a job"))
    better_job_chances = _statement(_("I have a better chance of getting a job now"))
    more_interested_in_studies = _statement(_("I have become more interested in studying"))
    studied_during_placement = models.BooleanField(
        _("studied during the job"), null=True, blank=True
    )
    submitted_on = models.DateField(_("submitted"), default=timezone.localdate)
    on_paper = models.BooleanField(_("collected on paper"), default=False)

    class Meta:
        ordering = ["-submitted_on", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{code}__in": ["", *Agreement.values]}),
                name=f"surveyresponse_{code}_valid",
            )
            for code in STATEMENTS
        ]

    def __str__(self) -> str:
        return f"{self.survey_round_id} #{self.pk}"


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
