import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from placements.models import OrganisationKind, Setting, Workplace

SHORTAGE_CHOICES = [("yes", _("Shortage occupation")), ("no", _("Not a shortage occupation"))]


def industry_choices() -> list[tuple[str, str]]:
    industries = (
        Workplace.objects.exclude(industry="")
        .order_by("industry")
        .values_list("industry", flat=True)
        .distinct()
    )
    return [(industry, industry) for industry in industries]


class WorkplaceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or organisation"), method="filter_text")
    organisation_kind = django_filters.ChoiceFilter(
        label=_("Organisation kind"),
        choices=OrganisationKind.choices,
        empty_label=_("All kinds"),
    )
    industry = django_filters.ChoiceFilter(
        label=_("Industry"), choices=industry_choices, empty_label=_("All industries")
    )
    setting = django_filters.ChoiceFilter(
        label=_("Setting"), choices=Setting.choices, empty_label=_("All settings")
    )
    shortage = django_filters.ChoiceFilter(
        label=_("Shortage occupation"),
        choices=SHORTAGE_CHOICES,
        method="filter_shortage",
        empty_label=_("Any"),
    )

    class Meta:
        model = Workplace
        fields = ["q", "organisation_kind", "industry", "setting", "shortage"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            field.widget.attrs["class"] = "form-control" if name == "q" else "form-select"
        self.form.fields["q"].widget.input_type = "search"

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(Q(name__icontains=word) | Q(organisation__icontains=word))
        return queryset

    def filter_shortage(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(shortage_occupation=value == "yes")
