"""The form that updates or ends a study; participants.services.study_update saves it."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from participants.models import MAX_STUDY_EXTENT_PERCENT, Study
from participants.services import study_version

COMPLETED_CHOICES = [
    ("", _("Not known yet")),
    ("true", _("Yes, completed")),
    ("false", _("No, not completed")),
]


class StudyUpdateForm(BootstrapFormMixin, forms.ModelForm):
    """What a study's course, school and extent are now, and how it ended."""

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
    completed = forms.TypedChoiceField(
        label=_("Completed"),
        choices=COMPLETED_CHOICES,
        coerce=lambda value: value == "true",
        empty_value=None,
        required=False,
        help_text=_("Once the study has ended: did the participant complete it?"),
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Study
        fields = ["course", "provider", "end_date", "extent_percent", "completed"]

    def __init__(self, *args: Any, instance: Study, **kwargs: Any) -> None:
        initial = {"version": study_version(instance)}
        if instance.completed is not None:
            initial["completed"] = "true" if instance.completed else "false"
        kwargs.setdefault("initial", initial)
        super().__init__(*args, instance=instance, **kwargs)
        self.start_date = instance.start_date

    def clean(self) -> dict:
        cleaned = super().clean()
        end_date, completed = cleaned.get("end_date"), cleaned.get("completed")
        if end_date and end_date < self.start_date:
            self.add_error(
                "end_date",
                _("The end date cannot be before the start date (%(date)s).")
                % {"date": self.start_date.isoformat()},
            )
        elif completed is not None and end_date is None and "end_date" not in self.errors:
            self.add_error(
                "end_date", _("Enter the end date: a study is completed or not once it has ended.")
            )
        elif completed is not None and end_date and end_date > timezone.localdate():
            self.add_error(
                "completed",
                _("The study ends %(date)s: whether it was completed is known once it has ended.")
                % {"date": end_date.isoformat()},
            )
        return cleaned
