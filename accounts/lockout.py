"""Login lockouts: django-axes' page, and the limit per address across usernames.

Apart from the views so that the middleware and Django's login signal can use
them without loading the pages' modules (QR codes, forms) at start-up.
"""

from collections.abc import Callable
from contextlib import suppress

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.urls import NoReverseMatch
from django.utils import timezone

from accounts.middleware import client_ip_address
from core.ratelimit import count, current


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """django-axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE)."""
    last_failure = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        ip_address=request.axes_ip_address,
    ).aggregate(last=Max("attempt_time"))["last"]
    retry_at = (last_failure or timezone.now()) + settings.AXES_COOLOFF_TIME
    context = {
        "retry_at": timezone.localtime(retry_at),
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(
        request, "accounts/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )


class LoginAddressLimitMiddleware:
    """Refuse logins from an address with LOGIN_FAILURES_PER_ADDRESS failed logins, any
    usernames, within the cool-off time: password spraying.

    django-axes locks a username at an address; spraying tries a few
    passwords on many usernames from one address and stays under that. The
    count is kept by ``count_failed_login`` (Django's user_login_failed).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in _login_paths():
            address = client_ip_address(request) or ""
            if current(LOGIN_FAILURES_SCOPE, address) >= settings.LOGIN_FAILURES_PER_ADDRESS:
                request.axes_ip_address = address
                return locked_out(request)
        return self.get_response(request)


LOGIN_FAILURES_SCOPE = "login-failures"


def _login_paths() -> set[str]:
    """The application's login page and the admin's: both take passwords."""
    paths = set()
    for name in (settings.LOGIN_URL, "admin:login"):
        # A URL configuration without that page has nothing to limit there.
        with suppress(NoReverseMatch):
            paths.add(resolve_url(name))
    return paths


def count_failed_login(
    sender: object, request: HttpRequest | None = None, **kwargs: object
) -> None:
    """user_login_failed: one more failure from the request's address."""
    if request is not None:
        count(
            LOGIN_FAILURES_SCOPE,
            client_ip_address(request) or "",
            window_seconds=int(settings.AXES_COOLOFF_TIME.total_seconds()),
        )
