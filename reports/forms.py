import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants.models import District
from placements.models import JobType, Setting
from reports.models import OutcomeCell

FIRST_YEAR = 2018
AGE_GROUP_CHOICES = [("<30", _("Under 30")), ("30+", _("30 and over"))]


def _year_choices() -> list[tuple[int, int]]:
    return [(year, year) for year in range(FIRST_YEAR, timezone.localdate().year + 1)]


class DashboardFilter(django_filters.FilterSet):
    """Narrows the snapshot's cells; every filter is an attribute the cells carry."""

    job_type = django_filters.ModelChoiceFilter(
        queryset=JobType.objects.filter(active=True),
        label=_("Job type"),
        empty_label=_("All job types"),
    )
    district = django_filters.ModelChoiceFilter(
        queryset=District.objects.all(), label=_("District"), empty_label=_("All districts")
    )
    setting = django_filters.ChoiceFilter(
        choices=Setting.choices, label=_("Setting"), empty_label=_("All settings")
    )
    age_group = django_filters.ChoiceFilter(
        choices=AGE_GROUP_CHOICES, label=_("Age group"), empty_label=_("All ages")
    )

    class Meta:
        model = OutcomeCell
        fields = ["job_type", "district", "setting", "age_group"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs["class"] = "form-select"


class PeriodRangeForm(forms.Form):
    from_year = forms.TypedChoiceField(label=_("From year"), coerce=int, required=False)
    to_year = forms.TypedChoiceField(label=_("To year"), coerce=int, required=False)

    def __init__(self, data=None, *args, **kwargs) -> None:
        choices = _year_choices()
        if data is not None:
            # A filter link without years means the whole range, as the empty form shows.
            data = data.copy()
            data.setdefault("from_year", str(choices[0][0]))
            data.setdefault("to_year", str(choices[-1][0]))
        super().__init__(data, *args, **kwargs)
        for name, initial in (("from_year", choices[0][0]), ("to_year", choices[-1][0])):
            self.fields[name].choices = choices
            self.fields[name].initial = initial
            self.fields[name].widget.attrs["class"] = "form-select"

    def clean(self) -> dict:
        cleaned = super().clean()
        first, last = cleaned.get("from_year"), cleaned.get("to_year")
        if first and last and first > last:
            raise forms.ValidationError(_("The first year must not come after the last."))
        return cleaned

    def years(self) -> tuple[int, int]:
        this_year = timezone.localdate().year
        if not self.is_bound or not self.is_valid():
            return FIRST_YEAR, this_year
        return (
            self.cleaned_data.get("from_year") or FIRST_YEAR,
            self.cleaned_data.get("to_year") or this_year,
        )
