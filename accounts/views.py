from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.models import Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work starts."""
    user = request.user
    if user.has_role(Role.COACH) or user.has_role(Role.MANAGER):
        return redirect("participants:caseload")
    if user.has_role(Role.ADMIN):
        return redirect("admin:index")
    return render(request, "accounts/no_role.html", status=403)
