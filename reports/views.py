import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from core.spreadsheet import text_cell
from reports.background import failure_reason
from reports.dashboard import operations_tables, outcome_tables
from reports.disclosure import small_cell_threshold
from reports.forms import DashboardFilter, PeriodRangeForm
from reports.models import OutcomeCell, OutcomeSnapshot, SnapshotStatus
from reports.selectors import (
    CellFigures,
    DashboardFilters,
    FilteredFigures,
    PeriodFigures,
    cells,
    figures_unit_for,
    latest_snapshot,
)
from reports.services import snapshot_request
from reports.snapshots import snapshot_in_progress, snapshots_fail_stale

DASHBOARD_ROLES = (Role.COACH, Role.MANAGER, Role.ADMIN)


def _dashboard(request: HttpRequest) -> dict:
    today = timezone.localdate()
    unit_id = figures_unit_for(request.user)
    snapshot = latest_snapshot()
    data = request.GET or None
    range_form = PeriodRangeForm(data)
    first_year, last_year = range_form.years()
    base = (
        cells(snapshot, DashboardFilters(unit_id=unit_id))
        if snapshot
        else OutcomeCell.objects.none()
    )
    filterset = DashboardFilter(data, queryset=base)
    filtering = filterset.is_valid() and any(filterset.form.cleaned_data.values())
    if snapshot and not filtering:
        # The usual view: figures rolled up when the snapshot was computed.
        figures = PeriodFigures(snapshot, unit_id)
    elif filtering:
        # With the coarser views' counts, so the page hides what they would give away.
        figures = FilteredFigures(base, _chosen_filters(filterset.form.cleaned_data, unit_id))
    else:
        figures = CellFigures(base)
    outcomes = outcome_tables(figures, first_year=first_year, last_year=last_year, today=today)
    operations = operations_tables(today=today, unit_id=unit_id)
    return {
        "snapshot": snapshot,
        "pending": _with_failure(snapshot_in_progress()),
        "filterset": filterset,
        "range_form": range_form,
        "own_unit_only": unit_id is not None,
        "outcomes": outcomes,
        "operations": operations,
        "tables": [*outcomes["tables"], *operations["tables"]],
        "chart": {**outcomes["chart"], "places": operations["chart"]},
        "query": request.GET.urlencode(),
        "small_cell_threshold": small_cell_threshold(),
    }


def _chosen_filters(cleaned: dict, unit_id: int | None) -> DashboardFilters:
    district = cleaned.get("district")
    return DashboardFilters(
        job_type=cleaned.get("job_type"),
        district_id=district.pk if district else None,
        setting=cleaned.get("setting") or "",
        age_group=cleaned.get("age_group") or "",
        unit_id=unit_id,
    )


@role_required(*DASHBOARD_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/dashboard.html", _dashboard(request))


@role_required(*DASHBOARD_ROLES)
def dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    """One dashboard table as CSV: figures only, small cells suppressed as on the page."""
    context = _dashboard(request)
    chosen = next((t for t in context["tables"] if t.slug == table), None)
    if chosen is None:
        return HttpResponse(status=404)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = context["snapshot"].finished_at if context["snapshot"] else timezone.now()
    filename = f"stockholmsjobb-{chosen.slug}-{timezone.localtime(stamp):%Y%m%d-%H%M}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_csv_value(heading) for heading in chosen.header])
    for row in chosen.rows:
        writer.writerow([_csv_value(value) for value in row])
    return response


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        # Swedish Excel expects a decimal comma.
        return str(value).replace(".", ",")
    # A name an admin or a coach typed (a job type, a coach) is text, never a formula.
    return text_cell(value) if isinstance(value, str) else value


def _with_failure(snapshot: OutcomeSnapshot | None) -> OutcomeSnapshot | None:
    if snapshot is not None:
        snapshot.failure = failure_reason(snapshot)
    return snapshot


@require_POST
@role_required(Role.ADMIN)
def snapshot_recompute(request: HttpRequest) -> HttpResponse:
    """Ask for new figures. The dashboard then says how it goes, from the row as it is when
    the page is read: queued, computing, done, or failed and why (never a message that
    was true only when the button was pressed)."""
    snapshot = snapshot_request(requested_by=request.user)
    back = request.POST.get("next", "")
    # Back to the dashboard page asked from (its filters), never to another site.
    if not (
        back.startswith("/")
        and url_has_allowed_host_and_scheme(back, allowed_hosts=None, require_https=False)
    ):
        back = reverse("reports:dashboard")
    return redirect(f"{back}#snapshot-{snapshot.pk}")


@role_required(*DASHBOARD_ROLES)
def snapshot_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx polls while a computation runs."""
    snapshots_fail_stale()
    snapshot = _with_failure(get_object_or_404(OutcomeSnapshot, pk=pk))
    response = render(request, "reports/_snapshot_status.html", {"pending": snapshot})
    if snapshot.status == SnapshotStatus.DONE:
        response["HX-Refresh"] = "true"
    return response
