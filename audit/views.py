"""The administrators' review of the access log: filters, flags and the monthly sample."""

import csv
import datetime

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import role_required
from accounts.models import Role
from audit.filters import AccessLogFilter
from audit.forms import SampleForm
from audit.models import AccessLogEntry, Action
from audit.selectors import log_for_review, monthly_sample
from audit.services import log_access
from core.spreadsheet import text_cell

PAGE_SIZE = 50
CSV_COLUMNS = (
    "at",
    "username",
    "unit_name",
    "action",
    "participant_id",
    "object_type",
    "object_id",
    "path",
    "method",
    "ip_address",
    "detail",
    "flagged",
)


@role_required(Role.ADMIN)
def review(request: HttpRequest) -> HttpResponse:
    filterset = AccessLogFilter(request.GET or None, queryset=log_for_review())
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/review.html",
        {
            "page": page,
            "filterset": filterset,
            "filtering": any(request.GET.get(name) for name in AccessLogFilter.base_filters),
            "sample_form": SampleForm(initial={"month": _last_month()}),
        },
    )


@role_required(Role.ADMIN)
def sample(request: HttpRequest) -> HttpResponse:
    form = SampleForm(request.GET or None, initial={"month": _last_month()})
    entries = None
    if form.is_valid():
        entries = monthly_sample(form.cleaned_data["month"], form.cleaned_data["size"])
    return render(request, "audit/sample.html", {"form": form, "entries": entries})


@role_required(Role.ADMIN)
def sample_csv(request: HttpRequest) -> HttpResponse:
    form = SampleForm(request.GET)
    if not form.is_valid():
        return HttpResponse(_("Choose a month and a sample size."), status=400)
    month, size = form.cleaned_data["month"], form.cleaned_data["size"]
    entries = list(monthly_sample(month, size))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="access-log-sample-{month:%Y-%m}-{size}.csv"'
    )
    response.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow([_csv_cell(entry, column) for column in CSV_COLUMNS])
    # Usernames and participant ids: the download is itself an export.
    log_access(
        action=Action.EXPORT,
        object_type="accesslogentry",
        detail=f"access-log sample {month:%Y-%m}: {len(entries)} rows",
    )
    return response


def _csv_cell(entry: AccessLogEntry, column: str) -> str:
    value = getattr(entry, column)
    if value is None:
        return ""
    if column == "at":
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, bool):
        return "1" if value else "0"
    # A username typed into the login form must not become a formula on the
    # reviewer's machine.
    return text_cell(str(value))


def _last_month() -> str:
    first = timezone.localdate().replace(day=1)
    previous = first - datetime.timedelta(days=1)
    return f"{previous:%Y-%m}"
