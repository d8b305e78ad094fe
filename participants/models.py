import datetime

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants.contact import validate_email, validate_phone, validate_postal_code
from participants.personnummer import Personnummer, mask, validate_personnummer


class Unit(models.Model):
    """A Jobbtorg team: it groups coaches and the participants they follow."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A district (stadsdelsområde) of the City of Stockholm."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    """Legal gender (juridiskt kön), as the personnummer carries it: every figure's breakdown."""

    KVINNA = "kvinna", _("Woman")
    MAN = "man", _("Man")


class EducationLevel(models.TextChoices):
    PRIMARY = "forgymnasial", _("Compulsory school or less")
    SECONDARY = "gymnasial", _("Upper secondary school")
    TERTIARY = "eftergymnasial", _("Post-secondary education")
    UNKNOWN = "okand", _("Unknown")


class ClosureReason(models.TextChoices):
    WORK = "arbete", _("Work")
    STUDIES = "studier", _("Studies")
    MOVED = "flyttat", _("Moved")
    DECLINED = "avbojt", _("No longer wants support")
    OTHER = "annat", _("Other")


# Months before enrolment: 50 years is more than anyone's working life.
MAX_MONTHS_BEFORE = 600
_MONTHS_VALIDATORS = [
    MaxValueValidator(
        MAX_MONTHS_BEFORE, message=_("Enter a number of months from 0 to %(limit_value)s.")
    )
]


class Participant(models.Model):
    # Shown, set, searched and filtered only by users who may see them
    # (participants.selectors.can_see_sensitive); never exported, never a breakdown.
    SENSITIVE_FIELDS = ("disability", "gender_self_described")
    # The participant's own data, corrected by whoever may edit the case
    # (participants.services.participant_update), every change kept in the history.
    DETAIL_FIELDS = (
        "first_name",
        "last_name",
        "district",
        "phone",
        "email",
        "street_address",
        "postal_code",
        "city",
        "preferred_language",
        "interpreter_needed",
        "education_level",
        "foreign_born",
        "months_social_assistance_before",
        "months_unemployed_before",
    )

    personnummer = models.CharField(
        _("personal identity number"),
        max_length=12,
        unique=True,
        validators=[validate_personnummer],
        help_text=_("Stored as 12 digits; samordningsnummer accepted."),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    # Both come from the personnummer (set_personnummer), never typed.
    gender = models.CharField(
        _("legal gender"), max_length=6, choices=Gender.choices, editable=False
    )
    birth_date = models.DateField(_("birth date"), editable=False)
    # The participant's own words, where they want them recorded: sensitive
    # like disability, never a breakdown and never exported.
    gender_self_described = models.CharField(
        _("gender, as the participant describes it"),
        max_length=60,
        blank=True,
        help_text=_("Only if the participant wants it recorded. Statistics use legal gender."),
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participants",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="participants"
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coach"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="caseload",
    )
    enrolled_on = models.DateField(_("enrolled on"))

    # Background used for breakdowns and evaluation (table 4 of the annual report).
    foreign_born = models.BooleanField(_("born abroad"), null=True, blank=True)
    education_level = models.CharField(
        _("education level"),
        max_length=16,
        choices=EducationLevel.choices,
        default=EducationLevel.UNKNOWN,
    )
    months_social_assistance_before = models.PositiveSmallIntegerField(
        _("months of social assistance before enrolment"),
        null=True,
        blank=True,
        validators=_MONTHS_VALIDATORS,
    )
    months_unemployed_before = models.PositiveSmallIntegerField(
        _("months of registered unemployment before enrolment"),
        null=True,
        blank=True,
        validators=_MONTHS_VALIDATORS,
    )
    # Special-category data (GDPR art. 9): shown only with explicit permission.
    disability = models.BooleanField(_("disability"), null=True, blank=True)

    # Contact details: how the coach reaches the participant. Optional, and
    # checked (participants.contact) on every path that saves them.
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    email = models.CharField(
        _("e-mail address"), max_length=254, blank=True, validators=[validate_email]
    )
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(
        _("postal code"), max_length=6, blank=True, validators=[validate_postal_code]
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=60,
        blank=True,
        help_text=_("The language the participant prefers for talks with the coach."),
    )
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)

    # A case ends ("avsluta inskrivning") with a date and a reason and may be reopened;
    # a closed case leaves the active caseload. Written only by the case services.
    closed_on = models.DateField(_("case closed on"), null=True, blank=True, editable=False)
    closed_reason = models.CharField(
        _("reason for closing"),
        max_length=8,
        choices=ClosureReason.choices,
        blank=True,
        editable=False,
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        # Disability is the only special-category field (health data, GDPR art. 9).
        # A criminal or socially exposed background is deliberately not stored.
        permissions = [
            (
                "view_sensitive",
                _("Can see sensitive data (disability, self-described gender)"),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(personnummer__regex=r"^[0-9]{12}$"),
                name="participant_personnummer_12_digits",
            ),
            # The legal gender is the personnummer's ninth digit: even kvinna, odd man.
            models.CheckConstraint(
                condition=Q(gender=Gender.KVINNA, personnummer__regex=r"^[0-9]{10}[02468]")
                | Q(gender=Gender.MAN, personnummer__regex=r"^[0-9]{10}[13579]"),
                name="participant_gender_from_personnummer",
                violation_error_message=_("The legal gender does not match the personnummer."),
            ),
            models.CheckConstraint(
                condition=Q(education_level__in=EducationLevel.values),
                name="participant_education_level_valid",
            ),
            # Closed means a date and a reason; open means neither.
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, closed_reason="")
                | Q(closed_on__isnull=False, closed_reason__in=ClosureReason.values),
                name="participant_closed_with_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "coach"], name="participant_unit_coach"),
            models.Index(fields=["last_name", "first_name"], name="participant_name"),
            # The caseload sorts a unit's or a coach's participants by name.
            models.Index(
                fields=["unit", "last_name", "first_name", "id"], name="participant_unit_name"
            ),
            models.Index(
                fields=["coach", "last_name", "first_name", "id"], name="participant_coach_name"
            ),
            models.Index(fields=["birth_date"], name="participant_birth_date"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def set_personnummer(self, number: Personnummer) -> None:
        """Set the number with what it carries: the birth date and the legal gender."""
        self.personnummer = number.number
        self.birth_date = number.birth_date
        self.gender = number.legal_gender

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def masked_personnummer(self) -> str:
        return mask(self.personnummer)


class ParticipantChange(models.Model):
    """One field of a participant changed: the value before and after, who and when.

    Written by the service that saves the change, in the same transaction
    (participants.services). Hand-written rather than django-simple-history:
    its historical rows are copies of the whole participant with no foreign
    key to it, so they outlive the participant that retention deletes, and
    with them the names and numbers retention must remove. These rows
    cascade with their participant.

    Values are text as stored (a choice's code, a district's name, ``true``/
    ``false``, empty for none); a personnummer only masked. Changes of the
    sensitive fields are kept too, and shown only to users who may see them.
    """

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="changes",
    )
    field = models.CharField(_("field"), max_length=50)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    # Why, where the change needs one (a corrected personnummer): case text,
    # read by those who may read the case and never written to a log.
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("change of participant data")
        verbose_name_plural = _("changes of participant data")
        constraints = [
            models.CheckConstraint(
                condition=~Q(field=""), name="participantchange_field_not_empty"
            ),
        ]
        indexes = [
            models.Index(fields=["participant", "-changed_at"], name="participantchange_history"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.field}: {self.changed_at:%Y-%m-%d %H:%M}"

    @property
    def is_sensitive(self) -> bool:
        return self.field in Participant.SENSITIVE_FIELDS

    @property
    def field_label(self) -> str:
        """The field's name in the reader's language."""
        try:
            return str(Participant._meta.get_field(self.field).verbose_name)
        except FieldDoesNotExist:
            return self.field

    def _shown(self, value: str) -> str:
        """A stored value in words: a choice's label, yes or no, or the text itself."""
        try:
            model_field = Participant._meta.get_field(self.field)
        except FieldDoesNotExist:
            return value
        if isinstance(model_field, models.BooleanField):
            return {"true": _("Yes"), "false": _("No")}.get(value, _("Unknown"))
        if model_field.choices and value:
            return str(dict(model_field.flatchoices).get(value, value))
        return value

    @property
    def old_shown(self) -> str:
        return self._shown(self.old_value)

    @property
    def new_shown(self) -> str:
        return self._shown(self.new_value)


class CaseStatusKind(models.TextChoices):
    CLOSE = "close", _("Case closed")
    REOPEN = "reopen", _("Case reopened")


class CaseStatusChange(models.Model):
    """A case closed ("avsluta inskrivning") or reopened: the events behind
    ``Participant.closed_on``, kept for the timeline. Written only by
    ``case_close`` and ``case_reopen``."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    kind = models.CharField(_("event"), max_length=6, choices=CaseStatusKind.choices)
    date = models.DateField(_("date"))
    reason = models.CharField(
        _("reason for closing"), max_length=8, choices=ClosureReason.choices, blank=True
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-changed_at", "-id"]
        verbose_name = _("case closing or reopening")
        verbose_name_plural = _("case closings and reopenings")
        constraints = [
            # A closing has a reason; a reopening has none.
            models.CheckConstraint(
                condition=Q(kind=CaseStatusKind.CLOSE, reason__in=ClosureReason.values)
                | Q(kind=CaseStatusKind.REOPEN, reason=""),
                name="casestatuschange_reason_with_closing",
            ),
        ]
        indexes = [models.Index(fields=["participant", "-date"], name="casestatus_timeline")]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.kind} {self.date}"

    @property
    def is_closing(self) -> bool:
        return self.kind == CaseStatusKind.CLOSE


class CaseNote(models.Model):
    """The journal. Append-only: a correction is a new note pointing at the old one."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("text"))
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="corrections",
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="casenote_text_not_empty"),
            models.CheckConstraint(
                condition=~Q(corrects=F("id")), name="casenote_cannot_correct_itself"
            ),
        ]
        indexes = [models.Index(fields=["participant", "-created_at"], name="casenote_timeline")]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.created_at:%Y-%m-%d}"


class Phase(models.TextChoices):
    BEFORE = "before", _("Before the placement")
    DURING = "during", _("During the placement")
    AFTER = "after", _("After the placement")


class ActivityKind(models.TextChoices):
    INTRODUCTION = "introduction", _("Introduction")
    MAPPING = "mapping", _("Mapping")
    STUDY_PLANNING = "study_planning", _("Study planning")
    MATCHING = "matching", _("Matching")
    INITIAL_INTERNSHIP = "initial_internship", _("Initial internship")
    JOB_SEARCH = "job_search", _("Job search")
    GUIDANCE = "guidance", _("Study and career guidance")
    COACHING_TALK = "coaching_talk", _("Coaching talk")
    COURSE = "course", _("Course")


class SupportActivity(models.Model):
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    placement = models.ForeignKey(
        "placements.Placement",
        verbose_name=_("placement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    phase = models.CharField(_("phase"), max_length=6, choices=Phase.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    date = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("support activity")
        verbose_name_plural = _("support activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(phase__in=Phase.values), name="activity_phase_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ActivityKind.values), name="activity_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["participant", "-date"], name="activity_timeline")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class GoalStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    REACHED = "reached", _("Reached")
    NOT_REACHED = "not_reached", _("Not achieved")


class LearningGoal(models.Model):
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="learning_goals",
    )
    placement = models.ForeignKey(
        "placements.Placement",
        verbose_name=_("placement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="learning_goals",
    )
    description = models.TextField(_("goal"))
    target_industry = models.CharField(_("target industry"), max_length=100)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=GoalStatus.choices, default=GoalStatus.PLANNED
    )
    reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["target_date", "id"]
        verbose_name = _("learning goal")
        verbose_name_plural = _("learning goals")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=GoalStatus.values), name="learninggoal_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]


class StudyKind(models.TextChoices):
    SFI = "sfi", _("Swedish for immigrants (sfi)")
    BASIC_ADULT = "grundlaggande_vux", _("Basic adult education")
    UPPER_SECONDARY_ADULT = "gymnasial_vux", _("Upper secondary adult education")
    VOCATIONAL = "yrkesutbildning", _("Vocational course")


MAX_STUDY_EXTENT_PERCENT = 50


class Study(models.Model):
    """Studies during the placement, on paid working time (at most half of it)."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="studies"
    )
    placement = models.ForeignKey(
        "placements.Placement",
        verbose_name=_("placement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="studies",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=StudyKind.choices)
    course = models.CharField(_("course"), max_length=200, blank=True)
    provider = models.CharField(_("school or provider"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    extent_percent = models.PositiveSmallIntegerField(
        _("extent (percent of working time)"),
        help_text=_("At most 50 percent of working time."),
    )
    completed = models.BooleanField(_("completed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("study")
        verbose_name_plural = _("studies")
        constraints = [
            models.CheckConstraint(
                condition=Q(extent_percent__gte=1, extent_percent__lte=MAX_STUDY_EXTENT_PERCENT),
                name="study_extent_at_most_half",
                violation_error_message=_(
                    "Study extent must be between 1 and 50 percent of working time."
                ),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="study_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(condition=Q(kind__in=StudyKind.values), name="study_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date}"


# --- Consent per data flow ------------------------------------------------------------------


class ConsentFlow(models.TextChoices):
    """The data flows the programme performs only with the participant's consent."""

    # The district administration's social services refer people on social
    # assistance and tell Jobbtorg how long they have received it.
    DISTRICT = "district", _("Information exchange with the district administration")
    # SCB matches the personnummer against its registers for the follow-up.
    SCB = "scb", _("Register follow-up through SCB")


# No decision in the programme's records can be older than this.
EARLIEST_CONSENT_DATE = datetime.date(2000, 1, 1)


def validate_not_in_future(value: datetime.date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future_date")


class Consent(models.Model):
    """One decision of a participant about one data flow: given, or refused or withdrawn.

    Append-only, like the journal: a new decision is a new row and the
    current state of a flow is its latest row (by decision date, then id).
    No row means the participant has not been asked, which is no consent.
    """

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    flow = models.CharField(_("data flow"), max_length=8, choices=ConsentFlow.choices)
    given = models.BooleanField(
        _("consent given"), help_text=_("Not ticked: refused or withdrawn.")
    )
    decided_on = models.DateField(
        _("decided on"),
        help_text=_("The date of the participant's decision."),
        validators=[
            MinValueValidator(
                EARLIEST_CONSENT_DATE, message=_("The date cannot be before the year 2000.")
            ),
            validate_not_in_future,
        ],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(flow__in=ConsentFlow.values), name="consent_flow_valid"
            ),
            models.CheckConstraint(
                condition=Q(decided_on__gte=EARLIEST_CONSENT_DATE),
                name="consent_decided_since_2000",
            ),
        ]
        # The current decision per participant and flow is the first row of this
        # index: participants_with_consent() reads it once per participant.
        indexes = [
            models.Index(
                fields=["participant", "flow", "-decided_on", "-id"], name="consent_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.flow}: {self.given} {self.decided_on}"


# --- Transfer between units -----------------------------------------------------------------


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class TransferRequest(models.Model):
    """A unit asks to take over a participant of another unit (flytt mellan enheter).

    The owning unit's manager, or an administrator, approves or declines.
    Until then the asker sees nothing of the person: not even whether the
    request was stored (``participants.services.transfer_ask``). The reason
    is the coach's free text about a person: it is read like case text, by
    those who may read the case, and never written to a log.
    """

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="transfer_requests",
    )
    # The participant's unit when the request was made.
    from_unit = models.ForeignKey(
        Unit, verbose_name=_("from unit"), on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        Unit, verbose_name=_("to unit"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        constraints = [
            # Asking again while a request waits stores nothing: two managers
            # would otherwise decide the same move twice.
            models.UniqueConstraint(
                fields=["participant", "to_unit"],
                condition=Q(status=TransferStatus.PENDING),
                name="transferrequest_one_pending_per_unit",
                violation_error_message=_(
                    "This unit already has a request waiting for this participant."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=TransferStatus.values), name="transferrequest_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(from_unit=F("to_unit")), name="transferrequest_to_another_unit"
            ),
            # A decision has a time; a request waiting has none.
            models.CheckConstraint(
                condition=Q(status=TransferStatus.PENDING, decided_at__isnull=True)
                | (~Q(status=TransferStatus.PENDING) & Q(decided_at__isnull=False)),
                name="transferrequest_decided_at_with_decision",
            ),
        ]
        indexes = [
            # The managers' lists and counts read the requests waiting.
            models.Index(
                fields=["requested_at"],
                condition=Q(status=TransferStatus.PENDING),
                name="transferrequest_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.from_unit_id} → {self.to_unit_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == TransferStatus.PENDING
