"""The admin's desk: the landing page for admins, with everything an admin does in the app."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.decorators import role_required
from accounts.models import Role
from casework.import_jobs import placement_imports_purge
from casework.models import ImportStatus, PlacementImport
from survey.models import SurveyRound


@role_required(Role.ADMIN)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The doors, grouped: reports, people, data, and the Django admin; two counts that wait."""
    # The admin's landing page: uploads nobody confirmed within a day go from here too.
    placement_imports_purge()
    today = timezone.localdate()
    return render(
        request,
        "desk/index.html",
        {
            "imports_waiting": PlacementImport.objects.filter(status=ImportStatus.READY).count(),
            "open_rounds": SurveyRound.objects.filter(
                opens_on__lte=today, closes_on__gte=today
            ).count(),
        },
    )
