"""Request-wide rules for logins: session lifetime, the second factor, no caching."""

import ipaddress
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django_otp import user_has_device

# When the current login began, as a POSIX timestamp (sessions hold JSON).
LOGIN_STARTED_KEY = "login_started_at"


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address: the one our own proxy saw, never one the client wrote.

    Behind PROXY_COUNT reverse proxies, each appends the address it received
    from to X-Forwarded-For, so the client is the entry the outermost proxy
    wrote, counted from the right; anything to its left came from the client
    and is ignored. Without BEHIND_PROXY the header is not trusted at all, and
    with it only on a connection from one of TRUSTED_PROXIES.
    """
    if settings.BEHIND_PROXY and _from_trusted_proxy(request.META.get("REMOTE_ADDR")):
        hops = [
            hop.strip()
            for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if hop.strip()
        ]
        if len(hops) >= settings.PROXY_COUNT > 0:
            return hops[-settings.PROXY_COUNT]
    return request.META.get("REMOTE_ADDR")


def _from_trusted_proxy(address: str | None) -> bool:
    try:
        peer = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(
        peer in ipaddress.ip_network(network, strict=False) for network in settings.TRUSTED_PROXIES
    )


class SessionLifetimeMiddleware:
    """Ends a login SESSION_ABSOLUTE_LIFETIME after it began, however active.

    The idle limit is Django's own (SESSION_COOKIE_AGE, renewed on every
    request); this adds the absolute one. It also ends, for good, a session
    whose user Django no longer accepts: Django treats a deactivated user's
    session as anonymous but keeps it, so reactivating the account would
    bring it back.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated and SESSION_KEY in request.session:
            request.session.flush()
        elif request.user.is_authenticated:
            started = request.session.get(LOGIN_STARTED_KEY)
            if started is None:
                # A session from before this rule: its lifetime counts from now.
                request.session[LOGIN_STARTED_KEY] = timezone.now().timestamp()
            elif _seconds_since(started) > settings.SESSION_ABSOLUTE_LIFETIME.total_seconds():
                # Flushes the session, so the cookie is worthless from here on.
                logout(request)
        response = self.get_response(request)
        # A login during this request starts the clock.
        if (
            request.user.is_authenticated
            and hasattr(request, "session")
            and LOGIN_STARTED_KEY not in request.session
        ):
            request.session[LOGIN_STARTED_KEY] = timezone.now().timestamp()
        return response


def _seconds_since(timestamp: float) -> float:
    return timezone.now().timestamp() - timestamp


class TwoFactorMiddleware:
    """Until a logged-in user has entered a TOTP code, only the 2FA pages answer.

    Everything else, the Django admin included, redirects to setting up a
    device (first login) or to entering a code. Off when REQUIRE_2FA is false.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.REQUIRE_2FA
            and user.is_authenticated
            and not user.is_verified()
            and not self._allowed_unverified(request.path)
        ):
            step = "verify" if user_has_device(user) else "setup"
            target = reverse(f"accounts:two_factor_{step}")
            return redirect_to_login(request.get_full_path(), target)
        return self.get_response(request)

    @staticmethod
    def _allowed_unverified(path: str) -> bool:
        allowed = (
            reverse("accounts:two_factor_setup"),
            reverse("accounts:two_factor_verify"),
            reverse("logout"),
            reverse("set_language"),
        )
        return path in allowed or path.startswith(settings.STATIC_URL)


class NoStoreMiddleware:
    """Pages shown to a logged-in user may hold personal data: never cache them.

    Static files are answered by WhiteNoise before this runs, so they stay
    cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            add_never_cache_headers(response)
        return response


class HtmxLoginRedirectMiddleware:
    """A fragment request whose session has ended reloads the whole page at the login.

    Otherwise htmx follows the redirect and swaps the login page into a fragment.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and response.status_code in (301, 302)
            and response.get("Location", "").startswith(reverse(settings.LOGIN_URL))
        ):
            current = request.headers.get("HX-Current-URL", "")
            path = urlsplit(current).path or "/"
            redirected = HttpResponse(status=204)
            redirected["HX-Redirect"] = redirect_to_login(path)["Location"]
            return redirected
        return response
