"""Forms of the participant page: they validate and normalise, services save.

Each rule a coach can break is checked here against the field it concerns,
so the message appears next to that field; the services check the same
rules again for every other caller.
"""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import (
    BootstrapFormMixin,
    ConfirmWarningsMixin,
    VersionField,
    check_end_after_start,
    version_of,
)
from followup.models import FollowUp
from participants.contact import NORMALISERS
from participants.models import (
    EARLIEST_CONSENT_DATE,
    MAX_MONTHS_BEFORE,
    MAX_STUDY_EXTENT_PERCENT,
    CaseNote,
    ClosureReason,
    ConsentFlow,
    LearningGoal,
    Participant,
    Study,
    SupportActivity,
)
from participants.personnummer import PersonnummerError, parse
from placements.forms import InternshipLengthMixin
from placements.models import (
    Internship,
    JobType,
    Placement,
    SubsidyOutcome,
    WageSubsidyCase,
    Workplace,
)


class ParticipantPlacementMixin:
    """An optional link to one of this participant's own placements."""

    def limit_placements(self, participant: Participant) -> None:
        if "placement" in self.fields:
            self.fields["placement"].queryset = participant.placements.select_related(
                "job_type"
            ).order_by("-start_date")
            self.fields["placement"].required = False


# --- Case notes ---------------------------------------------------------------


class CaseNoteForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = CaseNote
        fields = ["text"]
        labels = {"text": _("Note")}
        error_messages = {"text": {"required": _("Write the note before saving.")}}


class CaseNoteCorrectionForm(CaseNoteForm):
    """A new note that replaces the wording of an old one; starts from the old text."""

    class Meta(CaseNoteForm.Meta):
        labels = {"text": _("Corrected note")}

    def __init__(self, *args: Any, corrects: CaseNote, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"text": corrects.text})
        super().__init__(*args, **kwargs)
        self.corrects = corrects

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if text == self.corrects.text.strip():
            raise ValidationError(_("Change the text: the correction is the same as the note."))
        return text


# --- The summary: sensitive data and consents ------------------------------------


class SensitiveFieldForm(BootstrapFormMixin, forms.ModelForm):
    """One sensitive field of the summary: the view offers it only to users who may see it."""

    loaded_at = VersionField()

    class Meta:
        model = Participant
        fields: list[str] = []
        labels = {
            "disability": _("Disability"),
            "gender_self_described": _("Gender, in the participant's own words"),
        }

    def __init__(self, *args: Any, instance: Participant, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"loaded_at": version_of(instance)})
        super().__init__(*args, instance=instance, **kwargs)


def sensitive_form(field: str) -> type[SensitiveFieldForm]:
    """The form for one of ``Participant.SENSITIVE_FIELDS``."""
    if field not in Participant.SENSITIVE_FIELDS:
        raise ValueError(f"{field} is not a sensitive field")
    return forms.modelform_factory(Participant, form=SensitiveFieldForm, fields=[field])


# --- The participant's own data, the personnummer, closing and reopening --------------


def _off(attrs: dict | None = None) -> dict:
    # The coach types someone else's details: the browser must not offer their own.
    return {"autocomplete": "off", **(attrs or {})}


class ParticipantDetailsForm(BootstrapFormMixin, forms.ModelForm):
    """Names, district, contact details and background, as the participant page corrects them."""

    loaded_at = VersionField()
    months_social_assistance_before = forms.IntegerField(
        label=_("Months of social assistance before enrolment"),
        min_value=0,
        max_value=MAX_MONTHS_BEFORE,
        required=False,
        help_text=_("Recorded only with consent to information exchange with the district."),
    )
    months_unemployed_before = forms.IntegerField(
        label=_("Months of registered unemployment before enrolment"),
        min_value=0,
        max_value=MAX_MONTHS_BEFORE,
        required=False,
    )

    class Meta:
        model = Participant
        fields = list(Participant.DETAIL_FIELDS)
        labels = {
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "district": _("District"),
            "phone": _("Phone"),
            "email": _("E-mail address"),
            "street_address": _("Street address"),
            "postal_code": _("Postal code"),
            "city": _("City"),
            "preferred_language": _("Preferred language"),
            "interpreter_needed": _("Interpreter needed"),
            "education_level": _("Education level"),
            "foreign_born": _("Born abroad"),
        }
        widgets = {
            "first_name": forms.TextInput(attrs=_off()),
            "last_name": forms.TextInput(attrs=_off()),
            "phone": forms.TextInput(attrs=_off({"type": "tel", "inputmode": "tel"})),
            "email": forms.TextInput(attrs=_off({"type": "email", "inputmode": "email"})),
            "street_address": forms.TextInput(attrs=_off()),
            "postal_code": forms.TextInput(attrs=_off({"inputmode": "numeric"})),
            "city": forms.TextInput(attrs=_off()),
            "preferred_language": forms.TextInput(attrs=_off()),
            "foreign_born": forms.NullBooleanSelect,
        }
        error_messages = {
            "first_name": {"required": _("Enter the first name.")},
            "last_name": {"required": _("Enter the last name.")},
        }

    def __init__(self, *args: Any, instance: Participant, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"loaded_at": version_of(instance)})
        super().__init__(*args, instance=instance, **kwargs)
        self.fields["foreign_born"].required = False

    def clean(self) -> dict:
        cleaned = super().clean()
        # The model's own checks (phone, e-mail, postal code) run on the values as stored.
        for name in ("phone", "email", "postal_code"):
            if isinstance(cleaned.get(name), str):
                cleaned[name] = NORMALISERS[name](cleaned[name])
        return cleaned


class CaseCloseForm(BootstrapFormMixin, forms.Form):
    closed_on = forms.DateField(
        label=_("Closed on"),
        help_text=_("The last day of the enrolment."),
        error_messages={"required": _("Enter the date the case is closed.")},
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", "---------"), *ClosureReason.choices],
        error_messages={"required": _("Choose why the case is closed.")},
    )
    loaded_at = VersionField()

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"closed_on": timezone.localdate(), "loaded_at": version_of(participant)}
        )
        super().__init__(*args, **kwargs)
        self.enrolled_on = participant.enrolled_on

    def clean_closed_on(self) -> datetime.date:
        closed_on = self.cleaned_data["closed_on"]
        if closed_on > timezone.localdate():
            raise ValidationError(_("The closing date cannot be in the future."))
        if closed_on < self.enrolled_on:
            raise ValidationError(
                _("The case cannot be closed before the participant was enrolled (%(date)s).")
                % {"date": self.enrolled_on.isoformat()}
            )
        return closed_on


class CaseReopenForm(BootstrapFormMixin, forms.Form):
    on = forms.DateField(
        label=_("Reopened on"),
        error_messages={"required": _("Enter the date the case is reopened.")},
    )
    loaded_at = VersionField()

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"on": timezone.localdate(), "loaded_at": version_of(participant)}
        )
        super().__init__(*args, **kwargs)

    def clean_on(self) -> datetime.date:
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return on


class PersonnummerCorrectionForm(BootstrapFormMixin, forms.Form):
    """An administrator's correction of a number typed wrong at registration."""

    personnummer = forms.CharField(
        label=_("Correct personal identity number"),
        max_length=13,
        help_text=_("YYYYMMDD-NNNN, YYYYMMDDNNNN or YYMMDD-NNNN; samordningsnummer accepted."),
        widget=forms.TextInput(attrs=_off({"inputmode": "numeric"})),
        error_messages={"required": _("Enter the correct number.")},
    )
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=500,
        widget=forms.Textarea,
        help_text=_("For example: a digit was typed wrong at registration."),
        error_messages={"required": _("Say why the number is corrected.")},
    )

    def clean_personnummer(self) -> str:
        try:
            return parse(self.cleaned_data["personnummer"]).number
        except PersonnummerError as error:
            raise ValidationError(error.message, code="invalid_personnummer") from None


CONSENT_DECISIONS = [("given", _("Consent given")), ("not_given", _("Refused or withdrawn"))]


class ConsentForm(BootstrapFormMixin, forms.Form):
    """The participant's decision about one data flow, as they made it."""

    flow = forms.ChoiceField(label=_("Data flow"), choices=ConsentFlow.choices)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("", "---------"), *CONSENT_DECISIONS],
        error_messages={"required": _("Choose whether consent is given or not.")},
    )
    decided_on = forms.DateField(
        label=_("Date of the decision"),
        help_text=_("The day the participant gave, refused or withdrew consent."),
        error_messages={"required": _("Enter the date of the decision.")},
    )

    def __init__(self, *args: Any, flow: str | None = None, **kwargs: Any) -> None:
        initial = {"decided_on": timezone.localdate()}
        if flow in ConsentFlow.values:
            initial["flow"] = flow
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)

    def clean_decided_on(self) -> datetime.date:
        decided_on = self.cleaned_data["decided_on"]
        if decided_on > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        if decided_on < EARLIEST_CONSENT_DATE:
            raise ValidationError(_("The date cannot be before the year 2000."))
        return decided_on

    @property
    def given(self) -> bool:
        return self.cleaned_data["decision"] == "given"


# --- Support activities, learning goals, studies --------------------------------


class SupportActivityForm(BootstrapFormMixin, ParticipantPlacementMixin, forms.ModelForm):
    class Meta:
        model = SupportActivity
        fields = ["kind", "phase", "date", "placement", "note"]
        labels = {"kind": _("Activity")}

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.limit_placements(participant)


class LearningGoalForm(BootstrapFormMixin, ParticipantPlacementMixin, forms.ModelForm):
    class Meta:
        model = LearningGoal
        fields = ["description", "target_industry", "target_date", "next_review_on", "placement"]
        error_messages = {
            "description": {"required": _("Describe the goal.")},
            "target_industry": {"required": _("Name the industry the goal leads to.")},
        }

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_placements(participant)


class LearningGoalReviewForm(BootstrapFormMixin, forms.ModelForm):
    """A review of a goal: its status now and when to look at it next."""

    loaded_at = VersionField()

    class Meta:
        model = LearningGoal
        fields = ["status", "reviewed_on", "next_review_on", "target_date"]

    def __init__(self, *args: Any, instance: LearningGoal, **kwargs: Any) -> None:
        initial = {"loaded_at": version_of(instance)}
        if instance.reviewed_on is None or instance.reviewed_on < timezone.localdate():
            initial["reviewed_on"] = timezone.localdate()
        kwargs.setdefault("initial", initial)
        super().__init__(*args, instance=instance, **kwargs)

    def clean(self) -> dict:
        cleaned = super().clean()
        reviewed, next_review = cleaned.get("reviewed_on"), cleaned.get("next_review_on")
        if reviewed and next_review and next_review < reviewed:
            self.add_error("next_review_on", _("The next review cannot be before the last review."))
        return cleaned


class StudyForm(BootstrapFormMixin, ParticipantPlacementMixin, forms.ModelForm):
    extent_percent = forms.IntegerField(
        label=_("Extent (percent of working time)"),
        min_value=1,
        max_value=MAX_STUDY_EXTENT_PERCENT,
        help_text=_("At most 50 percent of working time."),
        error_messages={
            "max_value": _("Studies take at most 50 percent of working time; enter 50 or less."),
            "min_value": _("Enter the extent as a percentage from 1 to 50."),
            "required": _("Enter how much of the working time the studies take."),
        },
    )

    class Meta:
        model = Study
        fields = [
            "kind",
            "course",
            "provider",
            "start_date",
            "end_date",
            "extent_percent",
            "placement",
        ]

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_placements(participant)

    def clean(self) -> dict:
        cleaned = super().clean()
        check_end_after_start(self)
        return cleaned


# --- Placements -------------------------------------------------------------------


class PlacementForm(BootstrapFormMixin, ConfirmWarningsMixin, forms.ModelForm):
    class Meta:
        model = Placement
        fields = ["job_type", "workplace", "funding", "start_date", "planned_end_date"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warnings = []
        self.fields["job_type"].queryset = JobType.objects.filter(active=True)
        self.fields["workplace"].queryset = Workplace.objects.filter(active=True)
        self.fields["planned_end_date"].required = True

    def clean(self) -> dict:
        cleaned = super().clean()
        check_end_after_start(self, end="planned_end_date")
        return cleaned


class PlacementExtendForm(BootstrapFormMixin, ConfirmWarningsMixin, forms.ModelForm):
    loaded_at = VersionField()

    class Meta:
        model = Placement
        fields = ["planned_end_date", "extended_on"]
        labels = {"planned_end_date": _("New planned end date")}
        help_texts = {"extended_on": _("The date the extension was decided.")}

    def __init__(self, *args: Any, instance: Placement, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"loaded_at": version_of(instance), "extended_on": timezone.localdate()}
        )
        super().__init__(*args, instance=instance, **kwargs)
        self.warnings = []
        self.fields["planned_end_date"].required = True
        self.fields["extended_on"].required = True
        self.current_planned_end = instance.planned_end_date
        self.start_date = instance.start_date

    def clean_planned_end_date(self) -> datetime.date:
        new_end = self.cleaned_data["planned_end_date"]
        if self.current_planned_end and new_end <= self.current_planned_end:
            raise ValidationError(
                _("The new planned end must be after the current one (%(date)s).")
                % {"date": self.current_planned_end.isoformat()}
            )
        return new_end

    def clean_extended_on(self) -> datetime.date:
        extended_on = self.cleaned_data["extended_on"]
        if extended_on < self.start_date:
            raise ValidationError(
                _("The extension cannot be decided before the placement started (%(date)s).")
                % {"date": self.start_date.isoformat()}
            )
        return extended_on


class PlacementEndForm(BootstrapFormMixin, forms.ModelForm):
    loaded_at = VersionField()
    # The overlap rule names the start date; ending a placement moves its end.
    service_field_names = {"start_date": "end_date"}

    class Meta:
        model = Placement
        fields = ["end_date", "end_reason"]
        error_messages = {"end_reason": {"required": _("Say why the placement ended.")}}

    def __init__(self, *args: Any, instance: Placement, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"loaded_at": version_of(instance)})
        super().__init__(*args, instance=instance, **kwargs)
        self.fields["end_date"].required = True
        self.fields["end_reason"].required = True
        self.fields["end_date"].error_messages["required"] = _("Enter the last day of work.")
        self.start_date = instance.start_date

    def clean_end_date(self) -> datetime.date:
        end = self.cleaned_data["end_date"]
        if end < self.start_date:
            raise ValidationError(
                _("The end date cannot be before the start date (%(date)s).")
                % {"date": self.start_date.isoformat()}
            )
        return end


class InternshipForm(
    InternshipLengthMixin, BootstrapFormMixin, ParticipantPlacementMixin, forms.ModelForm
):
    class Meta:
        model = Internship
        fields = ["employer", "occupation", "start_date", "end_date", "placement"]
        help_texts = {"end_date": _("At most four weeks (28 days) after the start.")}

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_placements(participant)

    def clean(self) -> dict:
        cleaned = super().clean()
        # The four weeks: InternshipLengthMixin, the service's rule.
        check_end_after_start(self)
        return cleaned


# --- Wage subsidies ---------------------------------------------------------------


class WageSubsidyForm(BootstrapFormMixin, ParticipantPlacementMixin, forms.ModelForm):
    class Meta:
        model = WageSubsidyCase
        fields = ["kind", "employer", "applied_on", "placement"]

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_placements(participant)


class WageSubsidyDecisionForm(BootstrapFormMixin, forms.ModelForm):
    loaded_at = VersionField()

    class Meta:
        model = WageSubsidyCase
        fields = ["outcome", "decided_on"]
        labels = {"outcome": _("Decision")}
        help_texts = {"decided_on": _("Empty for a withdrawn application.")}

    def __init__(self, *args: Any, instance: WageSubsidyCase, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"loaded_at": version_of(instance)})
        super().__init__(*args, instance=instance, **kwargs)
        self.fields["outcome"].choices = [
            (value, label)
            for value, label in SubsidyOutcome.choices
            if value != SubsidyOutcome.PENDING
        ]
        self.applied_on = instance.applied_on

    def clean(self) -> dict:
        cleaned = super().clean()
        outcome, decided_on = cleaned.get("outcome"), cleaned.get("decided_on")
        if outcome in (SubsidyOutcome.GRANTED, SubsidyOutcome.REJECTED) and not decided_on:
            if "decided_on" not in self.errors:
                self.add_error("decided_on", _("Enter the date of the decision."))
        elif outcome == SubsidyOutcome.WITHDRAWN and decided_on:
            self.add_error(
                "decided_on", _("A withdrawn application has no decision date; leave it empty.")
            )
        elif decided_on and decided_on < self.applied_on:
            self.add_error(
                "decided_on",
                _("The decision cannot come before the application (%(date)s).")
                % {"date": self.applied_on.isoformat()},
            )
        return cleaned


# --- The three-month follow-up ------------------------------------------------------


class FollowUpForm(BootstrapFormMixin, forms.ModelForm):
    # Empty when the follow-up row did not exist yet when the form was opened.
    loaded_at = VersionField(required=False)

    class Meta:
        model = FollowUp
        fields = ["outcome", "performed_on", "employer_or_school", "note"]
        labels = {"performed_on": _("Date of the follow-up")}
        help_texts = {"employer_or_school": _("Where they work or study, if they do.")}
        error_messages = {
            "outcome": {"required": _("Choose what the participant does now.")},
            "performed_on": {"required": _("Enter the date of the follow-up.")},
        }

    def __init__(
        self, *args: Any, placement: Placement, instance: FollowUp | None, **kwargs: Any
    ) -> None:
        if instance is None:
            instance = FollowUp(placement=placement, due_date=placement.follow_up_due)
        initial = {"loaded_at": version_of(instance) if instance.pk else ""}
        if not instance.performed_on:
            initial["performed_on"] = timezone.localdate()
        kwargs.setdefault("initial", initial)
        super().__init__(*args, instance=instance, **kwargs)
        self.placement = placement
        self.fields["outcome"].required = True
        self.fields["performed_on"].required = True
