import datetime

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.decorators import role_required
from accounts.models import Role
from followup.models import FollowUp
from participants.selectors import participants_for_user

PAGE_SIZE = 25
# How far ahead the list looks; 30 days unless the coach asks for another horizon.
HORIZONS = (7, 30, 90)
DEFAULT_HORIZON = 30
SOON_DAYS = 7


@role_required(Role.COACH, Role.MANAGER, Role.ADMIN)
def followups(request: HttpRequest) -> HttpResponse:
    """Open follow-ups that are overdue or due within the horizon, oldest first."""
    today = timezone.localdate()
    is_coach = request.user.has_role(Role.COACH)
    scope = request.GET.get("scope")
    if not is_coach or scope not in {"mine", "unit"}:
        scope = "mine" if is_coach else "unit"
    try:
        horizon_days = int(request.GET.get("within", DEFAULT_HORIZON))
    except ValueError:
        horizon_days = DEFAULT_HORIZON
    if horizon_days not in HORIZONS:
        horizon_days = DEFAULT_HORIZON

    readable = participants_for_user(request.user)
    if scope == "mine":
        readable = readable.filter(coach=request.user)
    open_followups = (
        FollowUp.objects.filter(
            performed_on__isnull=True,
            due_date__lte=today + datetime.timedelta(days=horizon_days),
            placement__participant__in=readable.values("pk"),
        )
        .select_related("placement__participant__coach", "placement__job_type")
        .order_by("due_date", "pk")
    )
    page = Paginator(open_followups, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "followup/followups.html",
        {
            "page": page,
            "scope": scope,
            "today": today,
            "soon": today + datetime.timedelta(days=SOON_DAYS),
            "horizon_days": horizon_days,
            "horizons": HORIZONS,
        },
    )
