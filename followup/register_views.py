"""SCB register follow-up for admins, under /reports/scb/: the cohort list and the extract.

The same work as the commands ``export_scb_cohort`` and
``import_register_outcomes``, for an admin without server access. The list
holds personnummer: it is sent by POST (never a link to prefetch) and logged
as an export.
"""

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import role_required
from accounts.models import Role
from core.csv_files import ImportFailed
from core.forms import LimitedFileField
from followup.models import RegisterOutcome
from followup.register import (
    COLUMNS,
    REGISTER_COHORT_LAG,
    export_scb_cohort,
    import_register_outcomes,
    measure_years,
)
from placements.models import Placement


class CohortForm(forms.Form):
    cohort_year = forms.TypedChoiceField(label=gettext_lazy("Cohort (year ended)"), coerce=int)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        years = Placement.objects.filter(end_date__isnull=False).dates("end_date", "year")
        self.fields["cohort_year"].choices = [
            (day.year, day.year) for day in sorted(years, reverse=True)
        ]
        self.fields["cohort_year"].widget.attrs["class"] = "form-select"


class ExtractForm(forms.Form):
    file = LimitedFileField(
        label=gettext_lazy("SCB's extract (CSV)"),
        help_text=gettext_lazy("Columns: %(columns)s.") % {"columns": ", ".join(COLUMNS)},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".csv"})


def _page(
    request: HttpRequest,
    *,
    cohort_form: CohortForm | None = None,
    extract_form: ExtractForm | None = None,
    import_errors: list[str] | None = None,
    more_errors: int = 0,
    status: int = 200,
) -> HttpResponse:
    stored = RegisterOutcome.objects.values("year").annotate(rows=Count("id")).order_by("-year")
    return render(
        request,
        "followup/register.html",
        {
            "cohort_form": cohort_form or CohortForm(),
            "extract_form": extract_form or ExtractForm(),
            "import_errors": import_errors or [],
            "more_errors": more_errors,
            "stored": stored,
            # The cohort one would order now: SCB's registers run about two years behind.
            "example_years": measure_years(timezone.localdate().year - REGISTER_COHORT_LAG),
        },
        status=status,
    )


@require_GET
@role_required(Role.ADMIN)
def register_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@role_required(Role.ADMIN)
def cohort_download(request: HttpRequest) -> HttpResponse:
    form = CohortForm(request.POST)
    if not form.is_valid():
        return _page(request, cohort_form=form, status=400)
    year = form.cleaned_data["cohort_year"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="scb-kohort-{year}.csv"'
    export_scb_cohort(response, year, exported_by=request.user)
    return response


@require_POST
@role_required(Role.ADMIN)
def extract_upload(request: HttpRequest) -> HttpResponse:
    form = ExtractForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, extract_form=form, status=400)
    try:
        result = import_register_outcomes(form.cleaned_data["file"], imported_by=request.user)
    except ImportFailed as failure:
        return _page(
            request,
            extract_form=form,
            import_errors=failure.shown,
            more_errors=failure.not_shown,
            status=400,
        )
    messages.success(
        request,
        _(
            "%(stored)d register rows stored for %(years)s (%(replaced)d earlier rows of these "
            "years replaced). Left out: %(without_consent)d without consent to SCB follow-up, "
            "%(not_participants)d not participants."
        )
        % {
            "stored": result.stored,
            "years": ", ".join(str(year) for year in result.years),
            "replaced": result.replaced,
            "without_consent": result.without_consent,
            "not_participants": result.not_participants,
        },
    )
    return redirect(reverse("annual:scb"))
