"""Forms of the participants app: they validate and normalise; services save.

Sections: shared helpers, registration, caseload reassignment, transfers
between units. The participant page's forms are in ``casework.case_forms``.
"""

import datetime
import unicodedata
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Role, User
from casework.selectors import CaseState
from participants.models import (
    ConsentFlow,
    District,
    EducationLevel,
    Participant,
    TransferRequest,
    Unit,
)
from participants.personnummer import PersonnummerError, parse
from participants.selectors import can_see_sensitive, participants_for_user
from participants.services import social_assistance_check

# --- Shared helpers ---------------------------------------------------------


def style_widgets(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget, so templates can render fields in a loop."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(
            widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect
        ):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names, the rest on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def active_coaches(*, unit_id: int | None = None) -> QuerySet[User]:
    """Active users with the coach role, optionally of one unit, by name."""
    coaches = User.objects.filter(groups__name=Role.COACH, is_active=True)
    if unit_id is not None:
        coaches = coaches.filter(unit_id=unit_id)
    return coaches.select_related("unit").order_by("first_name", "last_name", "username")


def coaches_for_user(user: User) -> QuerySet[User]:
    """The coaches a user may pick: their own unit's, or anyone's for an admin."""
    if user.has_role(Role.ADMIN):
        return active_coaches()
    if user.unit_id:
        return active_coaches(unit_id=user.unit_id)
    return User.objects.none()


class CoachChoiceField(forms.ModelChoiceField):
    """A staff member shown by name (the username only as a fallback)."""

    def label_from_instance(self, obj: User) -> str:
        label = obj.get_full_name() or obj.get_username()
        if not obj.is_active:
            label = _("%(name)s (inactive)") % {"name": label}
        return label


def gender_self_described_field() -> forms.CharField:
    return forms.CharField(
        label=_("Gender, in the participant's own words"),
        max_length=Participant._meta.get_field("gender_self_described").max_length,
        required=False,
        help_text=_(
            "Only if the participant wants it recorded. Legal gender comes from the "
            "personal identity number and is what the statistics count."
        ),
    )


def disability_field() -> forms.NullBooleanField:
    """Yes, no or unknown: special-category data, offered only to users who may see it."""
    return forms.NullBooleanField(
        label=_("Disability"),
        required=False,
        widget=forms.NullBooleanSelect,
    )


# --- Registration -----------------------------------------------------------

# A consent choice at registration: given, not given, or not asked yet (no decision recorded).
CONSENT_GIVEN = "given"
CONSENT_NOT_GIVEN = "not_given"
CONSENT_CHOICES = [
    ("", _("Not asked yet")),
    (CONSENT_GIVEN, _("Consent given")),
    (CONSENT_NOT_GIVEN, _("Consent not given")),
]
CONSENT_FIELDS = {
    "consent_district": ConsentFlow.DISTRICT,
    "consent_scb": ConsentFlow.SCB,
}


CANNOT_REGISTER = _(
    "This person cannot be registered here. Contact the system administrator (systemförvaltaren)."
)


def fold_name(name: str) -> str:
    """A name compared without case, diacritics or extra spaces: "Åsa  Öberg" ~ "asa oberg"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(letters.replace("-", " ").split())


@dataclass(frozen=True)
class PossibleDuplicate:
    """A participant the user may read who may be the person being registered."""

    same_personnummer: bool
    participant: Participant


def possible_duplicates(
    *, user: User, personnummer: str, first_name: str, last_name: str
) -> list[PossibleDuplicate]:
    """People the user may read with this personnummer, or with its birth date and a like name.

    A like name is the same first name or the same last name once case,
    diacritics and spacing are ignored: the birth date narrows the
    candidates to a handful, and a changed last name (marriage) or a second
    registration with a samordningsnummer still shows up. Only participants
    the user may read (``participants_for_user``) are looked at: what another
    unit has is nobody's business here (``registered_elsewhere`` says only
    that this number cannot be registered, and logs the collision).
    """
    number = parse(personnummer)
    first, last = fold_name(first_name), fold_name(last_name)
    candidates = [
        candidate
        for candidate in participants_for_user(user)
        .filter(birth_date=number.birth_date)
        .order_by("pk")
        if candidate.personnummer == number.number
        or fold_name(candidate.first_name) == first
        or fold_name(candidate.last_name) == last
    ]
    return [
        PossibleDuplicate(
            same_personnummer=candidate.personnummer == number.number, participant=candidate
        )
        for candidate in sorted(candidates, key=lambda c: c.personnummer != number.number)
    ]


def registered_elsewhere(*, user: User, personnummer: str) -> Participant | None:
    """The participant with this number whom the user may not read, if there is one."""
    found = Participant.objects.filter(personnummer=parse(personnummer).number).first()
    if found is None or participants_for_user(user).filter(pk=found.pk).exists():
        return None
    return found


class ParticipantRegistrationForm(forms.Form):
    personnummer = forms.CharField(
        label=_("Personal identity number"),
        max_length=13,
        help_text=_("YYYYMMDD-NNNN, YYYYMMDDNNNN or YYMMDD-NNNN; samordningsnummer accepted."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.all(), required=False
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    coach = CoachChoiceField(label=_("Coach"), queryset=User.objects.none(), required=False)
    enrolled_on = forms.DateField(
        label=_("Enrolled on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    foreign_born = forms.NullBooleanField(
        label=_("Born abroad"), required=False, widget=forms.NullBooleanSelect
    )
    education_level = forms.ChoiceField(
        label=_("Education level"), choices=EducationLevel.choices, initial=EducationLevel.UNKNOWN
    )
    months_social_assistance_before = forms.IntegerField(
        label=_("Months of social assistance before enrolment"),
        min_value=0,
        max_value=600,
        required=False,
    )
    months_unemployed_before = forms.IntegerField(
        label=_("Months of registered unemployment before enrolment"),
        min_value=0,
        max_value=600,
        required=False,
    )
    consent_district = forms.ChoiceField(
        label=_("Consent: information exchange with the district administration"),
        choices=CONSENT_CHOICES,
        required=False,
        help_text=_("Needed to record months of social assistance."),
    )
    consent_scb = forms.ChoiceField(
        label=_("Consent: register follow-up through SCB"),
        choices=CONSENT_CHOICES,
        required=False,
    )
    different_person = forms.BooleanField(
        label=_("I have checked: this is a different person"), required=False
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.duplicates: list[PossibleDuplicate] = []
        self.elsewhere: Participant | None = None
        if user.has_role(Role.ADMIN):
            units = Unit.objects.filter(active=True)
        else:
            # A coach registers into their own unit only.
            units = Unit.objects.filter(pk=user.unit_id)
        self.fields["unit"].queryset = units
        self.fields["coach"].queryset = coaches_for_user(user)
        self.fields["unit"].initial = user.unit_id
        if user.has_role(Role.COACH):
            self.fields["coach"].initial = user.pk
        self.fields["enrolled_on"].initial = timezone.localdate
        if can_see_sensitive(user):
            # Among the other background fields; without the permission the
            # field does not exist, so a posted value is ignored.
            fields = list(self.fields.items())
            at = [name for name, _field in fields].index("months_unemployed_before") + 1
            sensitive = [
                ("disability", disability_field()),
                ("gender_self_described", gender_self_described_field()),
            ]
            self.fields = dict([*fields[:at], *sensitive, *fields[at:]])
        style_widgets(self)

    @property
    def near_matches(self) -> list[PossibleDuplicate]:
        return [match for match in self.duplicates if not match.same_personnummer]

    @property
    def same_personnummer(self) -> list[PossibleDuplicate]:
        return [match for match in self.duplicates if match.same_personnummer]

    def clean_personnummer(self) -> str:
        try:
            return parse(self.cleaned_data["personnummer"]).number
        except PersonnummerError as error:
            raise ValidationError(error.message, code="invalid_personnummer") from None

    def clean_enrolled_on(self) -> datetime.date:
        enrolled_on = self.cleaned_data["enrolled_on"]
        if enrolled_on > timezone.localdate() + datetime.timedelta(days=366):
            raise ValidationError(_("The enrolment date is more than a year ahead."))
        return enrolled_on

    def clean(self) -> dict:
        cleaned = super().clean()
        unit, coach = cleaned.get("unit"), cleaned.get("coach")
        if unit is not None and coach is not None and coach.unit_id != unit.pk:
            self.add_error(
                "coach",
                _("This coach works in another unit; choose one of %(unit)s.")
                % {"unit": unit.name},
            )
        number = cleaned.get("personnummer")
        first_name, last_name = cleaned.get("first_name"), cleaned.get("last_name")
        if number and first_name and last_name:
            self.duplicates = possible_duplicates(
                user=self.user, personnummer=number, first_name=first_name, last_name=last_name
            )
        if number:
            self.elsewhere = registered_elsewhere(user=self.user, personnummer=number)
        try:
            social_assistance_check(
                participant=None,
                months=cleaned.get("months_social_assistance_before"),
                district_consent_now=cleaned.get("consent_district") == CONSENT_GIVEN,
            )
        except ValidationError as error:
            add_service_errors(self, error)
        if self.elsewhere is not None:
            # The same words whatever the reason, and no unit named: the page
            # tells nothing about people outside the user's reach.
            self.add_error("personnummer", CANNOT_REGISTER)
        elif self.same_personnummer:
            self.add_error(
                "personnummer", _("This personal identity number is already registered.")
            )
        elif self.near_matches and not cleaned.get("different_person"):
            self.add_error(
                "different_person",
                _(
                    "Someone with the same birth date and a similar name is already registered. "
                    "Check the match above; tick the box only if this is a different person."
                ),
            )
        return cleaned

    def service_arguments(self) -> dict:
        """The cleaned values as ``participant_create`` takes them."""
        data = dict(self.cleaned_data)
        data.pop("different_person", None)
        decisions = {flow: data.pop(name, "") for name, flow in CONSENT_FIELDS.items()}
        # A flow not asked yet gets no row: no row is no consent.
        data["consents"] = {
            flow: choice == CONSENT_GIVEN for flow, choice in decisions.items() if choice
        }
        data["registered_by"] = self.user
        return data


# --- Caseload reassignment --------------------------------------------------


class ParticipantChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Participant) -> str:
        return f"{obj.last_name}, {obj.first_name} ({obj.masked_personnummer})"


def reassignable_participants(user: User) -> QuerySet[Participant]:
    """The cases a user may give another coach: every one they may read that is not closed.

    Those followed up long ago included: the list shows the active ones
    (``casework.selectors.active_cases``) unless asked for those too.
    """
    return participants_for_user(user).filter(closed_on__isnull=True)


class CaseloadReassignForm(forms.Form):
    """Move several participants to another coach (when staff leave, or to share work).

    The participants are any cases not closed that the user may read, ticked
    one by one on the list (``CaseloadReassignFilter`` narrows what is listed;
    nothing is ticked to start with); "to" is an active coach the user may
    pick. A closed case, or one outside the user's reach, is refused with
    one message that says neither which nor why.
    """

    participants = ParticipantChoiceField(
        label=_("Participants to move"),
        queryset=Participant.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one participant to move."),
            "invalid_choice": _(
                "Some of the chosen participants cannot be moved: their case is closed or "
                "is not yours to move. Show the list again and choose anew."
            ),
            "invalid_pk_value": _("Choose participants from the list."),
        },
    )
    to_coach = CoachChoiceField(label=_("To coach"), queryset=User.objects.none())

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["participants"].queryset = reassignable_participants(user)
        self.fields["to_coach"].queryset = coaches_for_user(user)
        style_widgets(self)

    def chosen_ids(self) -> set[str]:
        """The boxes ticked in the request, so a refused form keeps them ticked."""
        return set(self.data.getlist("participants")) if self.is_bound else set()

    def ids_out_of_reach(self) -> list[int]:
        """The ticked ids of a refused choice that name no one the user may read.

        Refused in the same words as a closed case (``invalid_choice``), but
        a request for someone outside the user's reach, which the view logs.
        """
        if not self.is_bound or "participants" not in self.errors:
            return []
        asked = {int(value) for value in self.chosen_ids() if value.isascii() and value.isdigit()}
        readable = participants_for_user(self.user).filter(pk__in=asked)
        return sorted(asked - set(readable.values_list("pk", flat=True)))

    def clean(self) -> dict:
        cleaned = super().clean()
        chosen, to_coach = cleaned.get("participants"), cleaned.get("to_coach")
        if chosen is not None and to_coach is not None:
            already = sum(1 for participant in chosen if participant.coach_id == to_coach.pk)
            if already:
                self.add_error(
                    "to_coach",
                    ngettext(
                        "%(count)d of the chosen participants already has this coach: "
                        "untick them or choose another coach.",
                        "%(count)d of the chosen participants already have this coach: "
                        "untick them or choose another coach.",
                        already,
                    )
                    % {"count": already},
                )
        return cleaned


# The caseload's case filter, less closed cases (they are not moved): "all" is every open one.
REASSIGN_CASE_CHOICES = [
    (CaseState.ACTIVE, _("Active cases")),
    (CaseState.FOLLOWED_UP_LONG_AGO, _("Followed up long ago")),
    (CaseState.ALL, _("All cases not closed")),
]


class CaseloadReassignFilter(forms.Form):
    """What the reassignment page lists: active cases (unless another case state is
    chosen), of one coach or one status."""

    case = forms.ChoiceField(label=_("Cases"), choices=REASSIGN_CASE_CHOICES, required=False)
    coach = CoachChoiceField(
        label=_("Coach"), queryset=User.objects.none(), required=False, empty_label=_("All coaches")
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All statuses"))], required=False)

    def __init__(self, *args, user: User, statuses: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Anyone who coaches a case the user may move, a deactivated account included.
        self.fields["coach"].queryset = User.objects.filter(
            pk__in=reassignable_participants(user).filter(coach__isnull=False).values("coach")
        ).order_by("first_name", "last_name", "username")
        self.fields["status"].choices = [("", _("All statuses")), *statuses]
        style_widgets(self)

    def chosen(self) -> tuple[str, User | None, str]:
        """The case state, coach and status asked for; a value that is not a choice is no
        filter (and the case state then the active cases)."""
        if not self.is_bound or not self.is_valid():
            return CaseState.ACTIVE, None, ""
        data = self.cleaned_data
        return data["case"] or CaseState.ACTIVE, data["coach"], data["status"]


# --- Transfer between units -------------------------------------------------


class TransferAskForm(forms.Form):
    """A coach asks to take over a person, by personnummer; an administrator names the unit.

    Its errors are about what was typed and who asks, never about the
    person: the number is checked for its form only.
    """

    personnummer = forms.CharField(
        label=_("Personal identity number"),
        max_length=13,
        help_text=_("YYYYMMDD-NNNN, YYYYMMDDNNNN or YYMMDD-NNNN; samordningsnummer accepted."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    unit = forms.ModelChoiceField(label=_("To unit"), queryset=Unit.objects.none())
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=TransferRequest._meta.get_field("reason").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Read by the manager who decides. Write only what they need to know, "
            "for example that the person has moved to your district."
        ),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_role(Role.ADMIN):
            self.fields["unit"].queryset = Unit.objects.filter(active=True)
        else:
            # A coach takes people over into their own unit only.
            del self.fields["unit"]
        style_widgets(self)

    @property
    def has_unit(self) -> bool:
        return "unit" in self.fields or self.user.unit_id is not None

    def clean_personnummer(self) -> str:
        try:
            return parse(self.cleaned_data["personnummer"]).number
        except PersonnummerError as error:
            raise ValidationError(error.message, code="invalid_personnummer") from None

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.has_unit:
            raise ValidationError(
                _(
                    "You are not a member of any unit, so you cannot take over participants. "
                    "Contact the system administrator."
                ),
                code="no_unit",
            )
        return cleaned

    def to_unit(self) -> Unit:
        if "unit" in self.fields:
            return self.cleaned_data["unit"]
        return self.user.unit


APPROVE, DECLINE = "approve", "decline"


class TransferDecisionForm(forms.Form):
    """Approve or decline: the button pressed on the list of requests."""

    decision = forms.ChoiceField(choices=[(APPROVE, _("Approve")), (DECLINE, _("Decline"))])
