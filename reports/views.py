import csv

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from core.spreadsheet import text_cell
from reports.background import failure_reason
from reports.dashboard import (
    FilterDescription,
    operations_tables,
    outcome_tables,
    subsidy_time_table,
)
from reports.disclosure import small_cell_threshold
from reports.forms import (
    ALL_UNITS,
    DashboardFilter,
    PeriodRangeForm,
    chooses_unit,
    default_unit_choice,
)
from reports.models import OutcomeCell, OutcomeSnapshot, SnapshotStatus
from reports.selectors import (
    CellFigures,
    DashboardFilters,
    FilteredFigures,
    PeriodFigures,
    UnitFigures,
    cells,
    figures_unit_for,
    latest_snapshot,
)
from reports.services import snapshot_request
from reports.snapshots import snapshot_in_progress, snapshots_fail_stale

DASHBOARD_ROLES = (Role.COACH, Role.MANAGER, Role.ADMIN)


def _dashboard(request: HttpRequest) -> dict:
    today = timezone.localdate()
    user = request.user
    scope_unit_id = figures_unit_for(user)
    snapshot = latest_snapshot()
    range_form = PeriodRangeForm(request.GET or None)
    first_year, last_year = range_form.years()
    base = (
        cells(snapshot, DashboardFilters(unit_id=scope_unit_id))
        if snapshot
        else OutcomeCell.objects.none()
    )
    filterset = DashboardFilter(_with_default_unit(request), queryset=base, user=user)
    chosen = (
        _chosen_filters(filterset.form.cleaned_data, scope_unit_id)
        if filterset.is_valid()
        else DashboardFilters(unit_id=scope_unit_id)
    )
    if snapshot and not chosen.applied():
        # The usual view: figures rolled up when the snapshot was computed.
        figures = PeriodFigures(snapshot, scope_unit_id)
    elif snapshot and chosen.applied() == ["chosen_unit_id"]:
        # Where a manager starts: one unit's rolled-up figures beside all units'.
        figures = UnitFigures(snapshot, chosen.chosen_unit_id)
    elif chosen.applied():
        # With the coarser views' counts, so the page hides what they would give away.
        figures = FilteredFigures(base, chosen)
    else:
        figures = CellFigures(base)
    outcomes = outcome_tables(figures, first_year=first_year, last_year=last_year, today=today)
    # The work tables follow the unit (the coach's own, or the one chosen), nothing else.
    unit_id = scope_unit_id if scope_unit_id is not None else chosen.chosen_unit_id
    operations = operations_tables(
        today=today,
        unit_id=unit_id,
        opens_unit=lambda pk: user.has_role(Role.ADMIN) or pk == user.unit_id,
    )
    subsidy_times = subsidy_time_table(
        first_year=first_year, last_year=last_year, unit_id=unit_id, today=today
    )
    return {
        "snapshot": snapshot,
        "pending": _with_failure(snapshot_in_progress()),
        "filterset": filterset,
        "range_form": range_form,
        "own_unit_only": scope_unit_id is not None,
        "outcomes": outcomes,
        "operations": operations,
        "subsidy_times": subsidy_times,
        "tables": [*outcomes["tables"], *operations["tables"], subsidy_times],
        "chart": {**outcomes["chart"], "places": operations["chart"]},
        "query": request.GET.urlencode(),
        "small_cell_threshold": small_cell_threshold(),
        "filter_description": FilterDescription(
            chosen, first_year=first_year, last_year=last_year, today=today
        ),
    }


def _with_default_unit(request: HttpRequest) -> QueryDict:
    """The address's filters, with the unit filter's default when it names none."""
    data = request.GET.copy()
    if chooses_unit(request.user):
        data.setdefault("unit", default_unit_choice(request.user))
    return data


def _chosen_filters(cleaned: dict, scope_unit_id: int | None) -> DashboardFilters:
    district = cleaned.get("district")
    unit = cleaned.get("unit")
    return DashboardFilters(
        job_type=cleaned.get("job_type"),
        district_id=district.pk if district else None,
        setting=cleaned.get("setting") or "",
        age_group=cleaned.get("age_group") or "",
        unit_id=scope_unit_id,
        chosen_unit_id=int(unit) if unit and unit != ALL_UNITS else None,
        funding=cleaned.get("funding") or "",
    )


@role_required(*DASHBOARD_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/dashboard.html", _dashboard(request))


@role_required(*DASHBOARD_ROLES)
def dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    """One dashboard table as CSV: figures only, small cells suppressed as on the page.

    The first line says which filters made it (``# Filter: …``), the header
    follows; the file name carries the same filters as codes and primary keys.
    """
    context = _dashboard(request)
    chosen = next((t for t in context["tables"] if t.slug == table), None)
    if chosen is None:
        return HttpResponse(status=404)
    description = context["filter_description"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = context["snapshot"].finished_at if context["snapshot"] else timezone.now()
    filename = description.file_name(chosen, stamp)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_csv_value(description.first_line(chosen))])
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
