"""Placement import in the browser, under /desk/import/: upload, preview, confirm, progress.

The same import as ``manage.py import_placements`` (casework.placement_import),
for an admin without a shell. Admins only. The upload is checked at once:
a file with problems lists them all (up to a cap, with a count) and is not
kept; a file without problems is kept (casework.import_jobs) and previewed,
and the admin confirms it. A Celery worker then imports it, all or nothing,
and the page follows the progress (htmx; without JavaScript it reloads).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.models import Role
from casework.import_jobs import (
    ImportFailed,
    failure_reason,
    placement_import_cancel,
    placement_import_start,
    placement_import_upload,
    placement_imports_purge,
)
from casework.models import PlacementImport
from casework.placement_csv import COLUMNS, REQUIRED_COLUMNS
from casework.placement_import import DEFAULT_UNIT_NAME
from casework.tasks import run_placement_import_task
from core.forms import LimitedFileField
from participants.models import Unit

# The imports the upload page lists.
RECENT_IMPORTS = 10


class PlacementImportForm(forms.Form):
    file = LimitedFileField(
        label=gettext_lazy("Placements file (CSV)"),
        help_text=gettext_lazy(
            "UTF-8, comma or semicolon, a header row. Columns: %(columns)s. Required: %(required)s."
        )
        % {"columns": ", ".join(COLUMNS), "required": ", ".join(REQUIRED_COLUMNS)},
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit for new participants"),
        queryset=Unit.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("“%(name)s” (created if absent)") % {"name": DEFAULT_UNIT_NAME},
        help_text=gettext_lazy(
            "Participants the file creates go to this unit; existing participants keep theirs."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".csv"})
        self.fields["unit"].widget.attrs["class"] = "form-select"


def _upload_page(
    request: HttpRequest,
    form: PlacementImportForm,
    *,
    problems: list[str] | None = None,
    more_problems: int = 0,
    status: int = 200,
) -> HttpResponse:
    recent = PlacementImport.objects.select_related("uploaded_by")[:RECENT_IMPORTS]
    return render(
        request,
        "desk/import_upload.html",
        {
            "form": form,
            "problems": problems or [],
            "more_problems": more_problems,
            "recent": recent,
        },
        status=status,
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """GET: the form and the latest imports. POST: check the file; keep and preview it if clean."""
    placement_imports_purge()
    if request.method == "GET":
        return _upload_page(request, PlacementImportForm())
    form = PlacementImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    try:
        placement_import = placement_import_upload(
            upload=form.cleaned_data["file"],
            unit=form.cleaned_data["unit"],
            uploaded_by=request.user,
        )
    except ImportFailed as failure:
        return _upload_page(
            request,
            form,
            problems=failure.shown,
            more_problems=failure.not_shown,
            status=400,
        )
    return redirect("placement_import:detail", pk=placement_import.pk)


def _import_for_page(pk: int) -> PlacementImport:
    placement_import = get_object_or_404(
        PlacementImport.objects.select_related("uploaded_by", "unit"), pk=pk
    )
    placement_import.failure = failure_reason(placement_import)
    return placement_import


@role_required(Role.ADMIN)
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The import's page: the preview to confirm, the progress, or how it ended."""
    placement_imports_purge()
    return render(request, "desk/import_detail.html", {"placement_import": _import_for_page(pk)})


@role_required(Role.ADMIN)
@require_GET
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress and outcome, which htmx polls while the import waits or runs."""
    placement_imports_purge()
    return render(request, "desk/_import_status.html", {"placement_import": _import_for_page(pk)})


@role_required(Role.ADMIN)
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    placement_import = get_object_or_404(PlacementImport, pk=pk)
    try:
        placement_import_start(placement_import=placement_import, task=run_placement_import_task)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    return redirect("placement_import:detail", pk=pk)


@role_required(Role.ADMIN)
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    placement_import = get_object_or_404(PlacementImport, pk=pk)
    try:
        placement_import_cancel(placement_import=placement_import)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect("placement_import:detail", pk=pk)
    messages.info(request, _("The import was cancelled and its file deleted."))
    return redirect("placement_import:upload")
