import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_SAMPLE_SIZE = 500


class MonthField(forms.DateField):
    """A month as the browser's month input sends it: YYYY-MM; the first day is kept."""

    input_formats = ["%Y-%m"]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class SampleForm(forms.Form):
    month = MonthField(label=_("Month"))
    size = forms.IntegerField(
        label=_("Sample size"), min_value=1, max_value=MAX_SAMPLE_SIZE, initial=20
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def clean_month(self) -> datetime.date:
        return self.cleaned_data["month"].replace(day=1)
