from base64 import b32encode

import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts.forms import TwoFactorSetupForm, TwoFactorVerifyForm
from accounts.signals import second_factor_failed, second_factor_verified

# The key of a device being set up lives in the session until a code confirms it.
SETUP_KEY_SESSION_KEY = "otp_setup_key"


@sensitive_post_parameters("token")
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """First login: pair an authenticator app by QR code, confirmed by its first code.

    Only for a user without a confirmed device; replacing a lost one goes
    through an administrator, who deletes the old device.
    """
    if user_has_device(request.user):
        return redirect(_with_next(reverse("accounts:two_factor_verify"), request))
    key = request.session.setdefault(SETUP_KEY_SESSION_KEY, random_hex(20))
    form = TwoFactorSetupForm(request.POST or None, key=key)
    if request.method == "POST" and form.is_valid():
        device = TOTPDevice.objects.create(
            user=request.user,
            name="Authenticator",
            key=key,
            confirmed=True,
            # The confirming code cannot be used again to log in.
            last_t=form.totp.t(),
            drift=form.totp.drift,
        )
        del request.session[SETUP_KEY_SESSION_KEY]
        _complete_second_factor(request, device)
        return redirect(_next_url(request))
    if request.method == "POST":
        second_factor_failed.send(sender=TOTPDevice, request=request, user=request.user)
    # An unsaved device, only to build the otpauth:// address the app reads.
    pairing = TOTPDevice(user=request.user, key=key)
    qr_code = segno.make(pairing.config_url, error="m").svg_inline(
        scale=5, svgclass="qr-code", title=_("QR code for your authenticator app")
    )
    secret = b32encode(bytes.fromhex(key)).decode()
    context = {
        "form": form,
        # segno's markup: the address is drawn as modules; the only text is our title.
        "qr_code": mark_safe(qr_code),  # noqa: S308
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "next": _next_url(request),
    }
    return render(request, "accounts/2fa_setup.html", context)


@sensitive_post_parameters("token")
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Every login: the code from the app the user paired."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect(_with_next(reverse("accounts:two_factor_setup"), request))
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = TwoFactorVerifyForm(request.POST or None, device=device)
    if request.method == "POST":
        if form.is_valid():
            _complete_second_factor(request, device)
            return redirect(_next_url(request))
        second_factor_failed.send(sender=TOTPDevice, request=request, user=request.user)
    return render(request, "accounts/2fa_verify.html", {"form": form, "next": _next_url(request)})


def _complete_second_factor(request: HttpRequest, device: TOTPDevice) -> None:
    otp_login(request, device)
    # Only now is the user logged in: the access log hears it (audit.signals).
    second_factor_verified.send(sender=TOTPDevice, request=request, user=request.user)
    # The session now carries more trust than before: give it a new id.
    request.session.cycle_key()


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def _with_next(url: str, request: HttpRequest) -> str:
    next_url = request.GET.get("next")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url
