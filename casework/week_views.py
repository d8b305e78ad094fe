"""Where each role's day starts: the coach's week at `/`, and the doors to the others."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.models import Role
from casework.week import SECTION_LIMIT, coach_week


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work starts.

    A coach's week, a manager's dashboard, an admin's desk.
    """
    user = request.user
    if user.has_role(Role.COACH):
        return week(request)
    if user.has_role(Role.MANAGER):
        return redirect("reports:dashboard")
    if user.has_role(Role.ADMIN):
        return redirect("desk:index")
    return render(request, "accounts/no_role.html", status=403)


def week(request: HttpRequest) -> HttpResponse:
    """The coach's week: what needs them, in due order (reached through ``home``)."""
    today = timezone.localdate()
    return render(
        request,
        "participants/week.html",
        {"sections": coach_week(request.user, today), "today": today, "limit": SECTION_LIMIT},
    )
