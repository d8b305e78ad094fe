import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from participants.models import District, Unit
from placements.models import Funding, JobType, Setting
from reports.models import OutcomeCell

FIRST_YEAR = 2018
AGE_GROUP_CHOICES = [("<30", _("Under 30")), ("30+", _("30 and over"))]
ALL_UNITS = "all"


def _year_choices() -> list[tuple[int, int]]:
    return [(year, year) for year in range(FIRST_YEAR, timezone.localdate().year + 1)]


def default_unit_choice(user: User) -> str:
    """Where the unit filter starts: a manager's own unit, else (an admin) all units."""
    if user.has_role(Role.MANAGER) and not user.has_role(Role.ADMIN) and user.unit_id:
        return str(user.unit_id)
    return ALL_UNITS


def chooses_unit(user: User) -> bool:
    """Managers and admins see every unit's figures (DESIGN §7) and pick one or all;
    a coach's figures are their own unit's, which is a scope, not a choice."""
    return user.has_role(Role.MANAGER) or user.has_role(Role.ADMIN)


class DashboardFilter(django_filters.FilterSet):
    """Narrows the snapshot's cells; every filter is an attribute the cells carry.

    ``user`` decides whether there is a unit filter (``chooses_unit``). Its
    value is "all" or a unit's primary key; the view turns it into
    ``DashboardFilters.chosen_unit_id`` and sets its default
    (``default_unit_choice``) when the address has none.
    """

    unit = django_filters.ChoiceFilter(
        label=_("Unit"), empty_label=None, method="_applied_by_the_view"
    )
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
    funding = django_filters.ChoiceFilter(
        choices=Funding.choices, label=_("Funding"), empty_label=_("All funding")
    )

    class Meta:
        model = OutcomeCell
        fields = ["unit", "job_type", "district", "setting", "age_group", "funding"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if chooses_unit(user):
            self.filters["unit"].extra["choices"] = [
                (ALL_UNITS, _("All units")),
                *((str(pk), name) for pk, name in Unit.objects.values_list("pk", "name")),
            ]
        else:
            del self.filters["unit"]
        for field in self.form.fields.values():
            field.widget.attrs["class"] = "form-select"

    def _applied_by_the_view(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The unit is applied as DashboardFilters.chosen_unit_id, with the coarser views.
        return queryset


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
