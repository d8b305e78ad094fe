"""The caseload: search, filters and sorting over the participants a user may read."""

import datetime
import re
from dataclasses import dataclass

import django_filters
from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField as FilterModelChoiceField

from accounts.models import User
from casework.forms import coaches_for_user
from casework.selectors import CaseState, cases_in_state, long_followed_up_condition
from followup.models import FollowUp
from participants.models import Participant
from participants.personnummer import PersonnummerError, parse
from placements.models import JobType, Placement


class CaseStatus:
    ONGOING = "ongoing"
    AWAITING_FOLLOWUP = "awaiting_followup"
    FOLLOWED_UP = "followed_up"
    NOT_PLACED = "not_placed"

    choices = [
        (ONGOING, _("Ongoing placement")),
        (AWAITING_FOLLOWUP, _("Ended, awaiting follow-up")),
        (FOLLOWED_UP, _("Followed up")),
        (NOT_PLACED, _("Not yet placed")),
    ]


def case_status_conditions(today: datetime.date) -> dict[str, Q]:
    """Each status as EXISTS conditions, which the database runs as (anti-)joins.

    Ongoing: a placement that has not ended by today. Followed up: nothing
    ongoing, a registered follow-up and no open one. Awaiting follow-up:
    placed, nothing ongoing, and an open follow-up or none registered yet
    (the nightly task opens one for every ended placement). Not yet placed:
    no placement at all.
    """
    placements = Placement.objects.filter(participant=OuterRef("pk"))
    followups = FollowUp.objects.filter(placement__participant=OuterRef("pk"))
    placed = Q(Exists(placements))
    current = Q(Exists(placements.filter(Q(end_date__isnull=True) | Q(end_date__gte=today))))
    open_followup = Q(Exists(followups.filter(performed_on__isnull=True)))
    done_followup = Q(Exists(followups.filter(performed_on__isnull=False)))
    return {
        CaseStatus.ONGOING: current,
        CaseStatus.AWAITING_FOLLOWUP: placed & ~current & (open_followup | ~done_followup),
        CaseStatus.FOLLOWED_UP: ~current & done_followup & ~open_followup,
        CaseStatus.NOT_PLACED: ~placed,
    }


def with_case_figures(
    participants: QuerySet[Participant], *, today: datetime.date
) -> QuerySet[Participant]:
    """Annotate the latest placement, the case status and the next follow-up due date.

    Correlated subqueries: filters and sorting use them inside the query,
    and the rows of a page get them without a query per row.
    """
    latest = Placement.objects.filter(participant=OuterRef("pk")).order_by("-start_date", "-pk")
    return participants.annotate(
        latest_job_type_id=Subquery(latest.values("job_type_id")[:1]),
        latest_job_type_name=Subquery(latest.values("job_type__name")[:1]),
        latest_start=Subquery(latest.values("start_date")[:1]),
        # The earliest open follow-up of any of the person's placements.
        next_followup_due=Subquery(
            FollowUp.objects.filter(
                placement__participant=OuterRef("pk"), performed_on__isnull=True
            )
            .order_by("due_date")
            .values("due_date")[:1]
        ),
        case_status=Case(
            *(
                When(condition, then=Value(status))
                for status, condition in case_status_conditions(today).items()
            ),
            output_field=CharField(),
        ),
        case_state=Case(
            When(closed_on__isnull=False, then=Value(CaseState.CLOSED)),
            When(long_followed_up_condition(today), then=Value(CaseState.FOLLOWED_UP_LONG_AGO)),
            default=Value(CaseState.ACTIVE),
            output_field=CharField(),
        ),
    )


def caseload_page(
    filtered: QuerySet[Participant],
    participants: QuerySet[Participant],
    *,
    today: datetime.date,
    number: str | int | None,
    per_page: int,
) -> Page:
    """One page of a filtered, sorted caseload, with figures computed for its rows only.

    Filtering and sorting run over primary keys; the row figures are then
    fetched for the page's rows alone. Selecting them in the paginated query
    would make PostgreSQL compute them for every row skipped by OFFSET too.
    ``participants`` is the access-checked queryset the filtered one came from.
    """
    page = Paginator(filtered.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    rows = with_case_figures(participants, today=today).in_bulk(ids)
    page.object_list = [rows[pk] for pk in ids]
    return page


FOLLOWUP_DUE_CHOICES = [
    ("overdue", _("Overdue")),
    ("7", _("Due within 7 days")),
    ("30", _("Due within 30 days")),
]


@dataclass(frozen=True)
class Sort:
    label: str
    ascending: tuple
    descending: tuple


def _nulls_last(name: str, *, descending: bool = False) -> F:
    field = F(name)
    return field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)


# Every ordering ends on pk so that pages never overlap.
SORTS: dict[str, Sort] = {
    "name": Sort(
        _("Name"), ("last_name", "first_name", "pk"), ("-last_name", "-first_name", "-pk")
    ),
    "enrolled": Sort(_("Enrolled"), ("enrolled_on", "pk"), ("-enrolled_on", "-pk")),
    "start": Sort(
        _("Placement start"),
        (_nulls_last("latest_start"), "pk"),
        (_nulls_last("latest_start", descending=True), "-pk"),
    ),
    "followup": Sort(
        _("Follow-up due"),
        (_nulls_last("next_followup_due"), "pk"),
        (_nulls_last("next_followup_due", descending=True), "-pk"),
    ),
}
DEFAULT_SORT = "name"
SORT_CHOICES = [(key, key) for key in SORTS] + [(f"-{key}", f"-{key}") for key in SORTS]


class _CoachField(FilterModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class CoachFilter(django_filters.ModelChoiceFilter):
    field_class = _CoachField


class CaseloadFilter(django_filters.FilterSet):
    """Filters a queryset already annotated by :func:`with_case_figures`."""

    q = django_filters.CharFilter(label=_("Name"), method="filter_name")
    case = django_filters.ChoiceFilter(
        label=_("Cases"),
        choices=CaseState.choices,
        method="filter_case",
        empty_label=None,
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=CaseStatus.choices,
        method="filter_status",
        empty_label=_("All statuses"),
    )
    job_type = django_filters.ModelChoiceFilter(
        label=_("Job type"),
        queryset=JobType.objects.all(),
        method="filter_job_type",
        empty_label=_("All job types"),
    )
    coach = CoachFilter(
        label=_("Coach"),
        queryset=lambda request: coaches_for_user(request.user),
        field_name="coach",
        empty_label=_("All coaches"),
        null_label=_("No coach"),
    )
    followup_due = django_filters.ChoiceFilter(
        label=_("Follow-up"),
        choices=FOLLOWUP_DUE_CHOICES,
        method="filter_followup_due",
        empty_label=_("Any"),
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="sort_by", widget=forms.HiddenInput
    )

    class Meta:
        model = Participant
        fields = ["q", "case", "status", "job_type", "coach", "followup_due", "sort"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            if name not in {"q", "sort"}:
                field.widget.attrs["class"] = "form-select"

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("case"):
            # Active cases unless another choice was made (a wrong one included).
            queryset = self.filter_case(queryset, "case", self.default_case)
        return queryset

    @property
    def qs(self) -> QuerySet[Participant]:
        queryset = super().qs
        if not self.is_bound:
            queryset = self.filter_case(queryset, "case", self.default_case)
        # Sorted by name unless a valid sort was asked for (filter methods run only with a value).
        if not self.is_bound or not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*SORTS[DEFAULT_SORT].ascending)
        return queryset

    def filter_name(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
        return queryset

    default_case = CaseState.ACTIVE

    def filter_case(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return cases_in_state(queryset, value, today=timezone.localdate())

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The condition itself, not the annotation: an EXISTS in WHERE becomes a join.
        return queryset.filter(case_status_conditions(timezone.localdate())[value])

    def filter_job_type(self, queryset: QuerySet, name: str, value: JobType) -> QuerySet:
        return queryset.filter(latest_job_type_id=value.pk)

    def filter_followup_due(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        today = timezone.localdate()
        if value == "overdue":
            return queryset.filter(next_followup_due__lt=today)
        horizon = today + datetime.timedelta(days=int(value))
        return queryset.filter(next_followup_due__gte=today, next_followup_due__lte=horizon)

    def sort_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        sort = SORTS[value.lstrip("-")]
        return queryset.order_by(*(sort.descending if value.startswith("-") else sort.ascending))

    def current_sort(self) -> str:
        if self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("sort"):
            return self.form.cleaned_data["sort"]
        return DEFAULT_SORT

    def visible_fields(self, *, with_coach: bool) -> list[forms.BoundField]:
        """The select filters shown in the form (search and sorting have their own places)."""
        names = ["case", "status", "job_type", *(["coach"] if with_coach else []), "followup_due"]
        return [self.form[name] for name in names]


@dataclass(frozen=True)
class Column:
    label: str
    sort_key: str | None = None
    aria_sort: str | None = None
    next_sort: str | None = None


def caseload_columns(current_sort: str, *, show_unit: bool) -> list[Column]:
    """Table headers; sortable ones link to their sort and carry ``aria-sort`` when active."""
    descending = current_sort.startswith("-")
    active = current_sort.lstrip("-")

    def sortable(key: str) -> Column:
        if key == active:
            return Column(
                SORTS[key].label,
                key,
                "descending" if descending else "ascending",
                key if descending else f"-{key}",
            )
        return Column(SORTS[key].label, key, None, key)

    return [
        sortable("name"),
        Column(_("Personal identity number")),
        Column(_("Coach")),
        *([Column(_("Unit"))] if show_unit else []),
        Column(_("Job type")),
        Column(_("Status")),
        sortable("enrolled"),
        sortable("start"),
        sortable("followup"),
    ]


# --- Searching by personnummer without putting it in a URL -----------------

_LOOKS_LIKE_NUMBER = re.compile(r"\d{6}")


class CaseloadSearchForm(forms.Form):
    """The search box. It posts, so a personnummer never becomes part of a URL.

    A personnummer (any written form) is normalised and kept in the session;
    a name goes back into the address as ``q`` so it can be bookmarked.
    """

    q = forms.CharField(
        label=_("Search by name or personal identity number"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "class": "form-control", "autocomplete": "off"}
        ),
    )

    personnummer: str | None = None

    def clean_q(self) -> str:
        query = " ".join(self.cleaned_data["q"].split())
        if is_personnummer_like(query):
            try:
                self.personnummer = parse(query).number
            except PersonnummerError as error:
                raise forms.ValidationError(error.message, code="invalid_personnummer") from None
        return query


def is_personnummer_like(text: str) -> bool:
    """Six digits in a row (separators aside) are a number, never part of a name."""
    return bool(_LOOKS_LIKE_NUMBER.search(text.replace("-", "").replace("+", "")))
