import datetime

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AccessLogEntry, Action
from audit.selectors import flagged_condition


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


class AccessLogFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(
        label=_("User"), field_name="username", lookup_expr="iexact"
    )
    participant = django_filters.NumberFilter(
        label=_("Participant id"), field_name="participant_id", min_value=1
    )
    date_from = django_filters.DateFilter(
        label=_("From"), method="filter_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("To"), method="filter_to", widget=forms.DateInput(attrs={"type": "date"})
    )
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=Action.choices, empty_label=_("All actions")
    )
    flagged = django_filters.BooleanFilter(
        label=_("Only flagged reads"),
        method="filter_flagged",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = AccessLogEntry
        fields = ["username", "participant", "date_from", "date_to", "action", "flagged"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            if name == "flagged":
                field.widget.attrs["class"] = "form-check-input"
            else:
                field.widget.attrs["class"] = "form-select" if name == "action" else "form-control"

    # Days are whole days in Stockholm; compared as instants so the index on `at` is used.
    def filter_from(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset.filter(at__gte=_start_of(value))

    def filter_to(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset.filter(at__lt=_start_of(value + datetime.timedelta(days=1)))

    def filter_flagged(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        return queryset.filter(flagged_condition()) if value else queryset
