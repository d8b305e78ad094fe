"""The admin's desk: the landing page for admins, with everything an admin does in the app."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import role_required
from accounts.models import Role


@role_required(Role.ADMIN)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/index.html", {})
