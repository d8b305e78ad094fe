"""The annual report's pages: choose a year and build, follow the build, download the files.

Admins only. The year is a query parameter (``?year=2025``) rather than part of
the path, like the page's own choice of year.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import role_required
from accounts.models import Role
from audit.models import Action
from audit.services import log_access
from reports.annual.build import stored_tables
from reports.annual.services import (
    annual_report_request,
    annual_reports_fail_stale,
)
from reports.annual.xlsx import csv_zip_bytes, html_value
from reports.annual.years import default_year, years_with_data
from reports.background import failure_reason
from reports.models import AnnualReport

DOWNLOADS = {
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "stockholmsjobb-arsrapport-{year}.xlsx",
    ),
    "csv": ("application/zip", "stockholmsjobb-arsrapport-{year}-csv.zip"),
}
# The rows of the list: everything but the stored tables and file.
LIST_FIELDS = ("xlsx", "tables")


class AnnualReportForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)

    def __init__(self, years: list[int], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, year) for year in sorted(years, reverse=True)]
        self.fields["year"].widget.attrs["class"] = "form-select"


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET["year"])
    except (KeyError, ValueError):
        raise Http404("No such annual report.") from None


def _built_report(request: HttpRequest) -> AnnualReport:
    report = AnnualReport.objects.filter(year=_year(request), built_at__isnull=False).first()
    if report is None:
        raise Http404("No such annual report.")
    return report


@require_GET
@role_required(Role.ADMIN)
def annual_index(request: HttpRequest) -> HttpResponse:
    annual_reports_fail_stale()
    years = years_with_data()
    form = AnnualReportForm(years, initial={"year": default_year(years)})
    reports = AnnualReport.objects.defer(*LIST_FIELDS).select_related("requested_by")
    reports = list(reports)
    for report in reports:
        report.failure = failure_reason(report)
    return render(request, "reports/annual.html", {"form": form, "reports": reports})


@require_POST
@role_required(Role.ADMIN)
def annual_build(request: HttpRequest) -> HttpResponse:
    form = AnnualReportForm(years_with_data(), request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a year with placements."))
        return redirect("annual:index")
    year = form.cleaned_data["year"]
    annual_report_request(year=year, requested_by=request.user)
    messages.info(request, _("The annual report for %(year)s is being built.") % {"year": year})
    return redirect(f"{reverse('annual:index')}#annual-report-{year}")


@require_GET
@role_required(Role.ADMIN)
def annual_status(request: HttpRequest) -> HttpResponse:
    """The report's card, which htmx polls while a build runs: progress, then the downloads."""
    annual_reports_fail_stale()
    report = AnnualReport.objects.defer(*LIST_FIELDS).filter(year=_year(request)).first()
    if report is None:
        raise Http404("No such annual report.")
    report.failure = failure_reason(report)
    return render(request, "reports/annual_status.html", {"report": report})


def _log_export(request: HttpRequest, report: AnnualReport, kind: str) -> None:
    # Aggregates only, about nobody: the row says who took which year's report, and how.
    log_access(
        action=Action.EXPORT,
        object_type="annualreport",
        object_id=report.pk,
        detail=f"annual report {report.year}: {kind}",
        request=request,
    )


@require_GET
@role_required(Role.ADMIN)
def annual_download(request: HttpRequest, kind: str) -> HttpResponse:
    """The built workbook, or the tables as CSV files in a zip."""
    if kind not in DOWNLOADS:
        raise Http404("No such file.")
    report = _built_report(request)
    if kind == "xlsx":
        content = bytes(report.xlsx)
    else:
        content = csv_zip_bytes(stored_tables(report), year=report.year)
    _log_export(request, report, kind)
    content_type, filename = DOWNLOADS[kind]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename.format(year=report.year)}"'
    return response


@require_GET
@role_required(Role.ADMIN)
def annual_print(request: HttpRequest) -> HttpResponse:
    """The built report as one page, for reading and printing."""
    report = _built_report(request)
    tables = [
        {
            "table": table,
            "rows": [
                [
                    (html_value(value, kind), kind != "text")
                    for value, kind in zip(row, table.formats, strict=True)
                ]
                for row in table.rows
            ],
        }
        for table in stored_tables(report)
    ]
    _log_export(request, report, "html")
    return render(request, "reports/annual_print.html", {"report": report, "tables": tables})
