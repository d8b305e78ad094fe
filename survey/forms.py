from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import LimitedFileField
from followup.models import STATEMENTS, Agreement
from survey.models import SurveyRound
from survey.selectors import statement_label

YES, NO = "ja", "nej"


def _studied(value: str) -> bool | None:
    return {YES: True, NO: False}.get(value)


class SurveyAnswerForm(forms.Form):
    """The participant's answers. Every question may be left blank, but not all of them."""

    studied_during_placement = forms.TypedChoiceField(
        label=_("Have you studied during your employment?"),
        choices=[(YES, _("Yes")), (NO, _("No"))],
        coerce=_studied,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    link_to_me = forms.BooleanField(
        label=_("I want my answers to be linked to me"),
        help_text=_(
            "Tick the box if you want Jobbtorg to be able to see that these are your answers; "
            "otherwise they are saved without your name."
        ),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        statement_fields = {
            code: forms.ChoiceField(
                label=statement_label(code),
                choices=Agreement.choices,
                required=False,
                widget=forms.RadioSelect,
            )
            for code in STATEMENTS
        }
        # The statements first, in the document's order; then studies, then the choice to link.
        self.fields = {**statement_fields, **self.fields}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        answered = any(cleaned.get(code) for code in STATEMENTS) or (
            cleaned.get("studied_during_placement") is not None
        )
        if not answered:
            raise forms.ValidationError(
                _("Answer at least one question before you send."), code="empty"
            )
        return cleaned

    def statement_fields(self) -> list[forms.BoundField]:
        return [self[code] for code in STATEMENTS]


class SurveyRoundForm(forms.ModelForm):
    """A new round's name and dates; ``survey.services.survey_round_create`` saves it."""

    class Meta:
        model = SurveyRound
        fields = ("name", "opens_on", "closes_on")
        widgets = {
            "name": forms.TextInput(attrs={"class": "form-control"}),
            "opens_on": forms.DateInput(attrs={"type": "date", "class": "form-control"}),
            "closes_on": forms.DateInput(attrs={"type": "date", "class": "form-control"}),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("A round cannot close before it opens."))
        return cleaned


class RoundChoiceForm(forms.Form):
    survey_round = forms.ModelChoiceField(
        label=_("Survey round"),
        queryset=SurveyRound.objects.all(),
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class PaperImportForm(forms.Form):
    file = LimitedFileField(
        label=_("CSV file with paper answers"),
        help_text=_(
            "One row per paper form. Columns: job_type (optional), the eight statement codes "
            "and studied (ja, nej or empty)."
        ),
    )
