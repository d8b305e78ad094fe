"""The follow-up list's filters and the form that closes out unreachable follow-ups."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from followup.services import NOT_REACHED_REASON_MAX_LENGTH
from participants.models import Unit

# The list's ``within=`` for follow-ups past their due date only (as the dashboard counts them).
OVERDUE_ONLY = "overdue"


def coaches_in_reach(user: User) -> QuerySet[User]:
    """The coaches whose lists the user may narrow to: their own unit's; any for an admin.

    Coaches who have left stay a choice: their participants may still wait for
    a follow-up until a manager hands them on.
    """
    coaches = User.objects.filter(groups__name=Role.COACH)
    if not user.has_role(Role.ADMIN):
        coaches = coaches.filter(unit_id=user.unit_id) if user.unit_id else coaches.none()
    return coaches.order_by("first_name", "last_name", "username")


def units_in_reach(user: User) -> QuerySet[Unit]:
    """The units whose lists the user may narrow to: their own; any for an admin."""
    if user.has_role(Role.ADMIN):
        return Unit.objects.order_by("name")
    return Unit.objects.filter(pk=user.unit_id) if user.unit_id else Unit.objects.none()


class _CoachChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        label = obj.get_full_name() or obj.get_username()
        return label if obj.is_active else _("%(name)s (inactive)") % {"name": label}


class FollowUpListFilterForm(forms.Form):
    """``?coach=<user pk>&unit=<unit pk>``: narrows the list within the user's reach.

    Only coaches and units the user may read are choices, so a filter can
    narrow what the user sees and never widen it; anything else is an error
    next to the field, the same for a stranger and for a number that is no one.
    """

    coach = _CoachChoiceField(
        label=_("Coach"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("All coaches"),
        error_messages={"invalid_choice": _("Choose a coach of your unit.")},
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("All units"),
        error_messages={"invalid_choice": _("Choose one of the units you work with.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coach"].queryset = coaches_in_reach(user)
        self.fields["unit"].queryset = units_in_reach(user)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    @property
    def narrowing(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


# More than a page of the list: the rest is a mistake or an attempt, not a coach's choice.
MAX_CHOSEN = 200


class FollowUpIdsField(forms.Field):
    """Follow-up ids from the list's checkboxes (or hidden fields): a sorted list of ints."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        if not isinstance(value, list | tuple) or len(value) > MAX_CHOSEN:
            raise forms.ValidationError(
                _("Choose at most %(limit)d follow-ups at a time.") % {"limit": MAX_CHOSEN},
                code="too_many",
            )
        try:
            return sorted({int(item) for item in value})
        except (TypeError, ValueError):
            raise forms.ValidationError(
                _("This list is damaged; reload the page and choose again."), code="invalid"
            ) from None


class NotReachedForm(forms.Form):
    """Follow-ups chosen on the list, and why none of those people could be reached.

    ``shown`` are the follow-ups the list offered for closing; with
    ``select_all`` ticked, every one of them is chosen (no script needed).
    """

    followups = FollowUpIdsField(required=False)
    shown = FollowUpIdsField(required=False)
    select_all = forms.BooleanField(label=_("Select all shown"), required=False)
    reason = forms.CharField(
        label=_("Why they could not be reached"),
        max_length=NOT_REACHED_REASON_MAX_LENGTH,
        help_text=_(
            "Saved as the note of each follow-up, e.g. “No answer to three calls and a letter”."
        ),
        error_messages={"required": _("Write why these participants could not be reached.")},
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        cleaned = super().clean()
        chosen = set(cleaned.get("followups") or [])
        if cleaned.get("select_all"):
            chosen |= set(cleaned.get("shown") or [])
        if not chosen:
            raise forms.ValidationError(
                _("Tick the follow-ups to close, or “Select all shown”."), code="none_chosen"
            )
        cleaned["chosen"] = sorted(chosen)
        return cleaned
