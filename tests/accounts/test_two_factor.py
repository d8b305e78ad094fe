"""Two-factor authentication with TOTP: required for everyone when REQUIRE_2FA is on."""

import datetime
import os
import re
import subprocess
import sys
import zoneinfo
from base64 import b32encode

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.views import SETUP_KEY_SESSION_KEY
from tests.factories import UserFactory

START = datetime.datetime(2026, 3, 2, 9, 0, 5, tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm"))
SETUP = "/accounts/2fa/setup/"
VERIFY = "/accounts/2fa/verify/"


@pytest.fixture(autouse=True)
def _two_factor_required(settings):
    settings.REQUIRE_2FA = True


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def device(coach) -> TOTPDevice:
    return TOTPDevice.objects.create(user=coach, name="Telefon", confirmed=True)


def code(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key).token():06d}"


def wrong_code(right: str) -> str:
    return f"{(int(right) + 1) % 1_000_000:06d}"


def password_login(client: Client, username: str = "coach1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": "correct horse battery"}
    )


# --- First login: set up a device -----------------------------------------------


@pytest.mark.django_db
def test_user_without_a_device_is_sent_to_setup_after_password_login(client, coach):
    assert password_login(client).status_code == 302

    response = client.get("/participants/")

    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=/participants/"


@pytest.mark.django_db
def test_setup_page_shows_an_inline_svg_qr_code_and_the_key_for_manual_entry(client, coach):
    client.force_login(coach)

    response = client.get(SETUP)

    html = response.content.decode()
    key = client.session[SETUP_KEY_SESSION_KEY]
    secret = b32encode(bytes.fromhex(key)).decode()
    assert response.status_code == 200
    assert re.search(r'<svg[^>]*class="qr-code"', html)
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    assert not re.search(r"\sstyle\s*=", html)
    # Nothing is saved until the app proves it holds the key.
    assert not TOTPDevice.objects.exists()


@pytest.mark.django_db
def test_setup_key_stays_the_same_when_the_page_is_reloaded(client, coach):
    client.force_login(coach)
    client.get(SETUP)
    first = client.session[SETUP_KEY_SESSION_KEY]

    client.get(SETUP)

    assert client.session[SETUP_KEY_SESSION_KEY] == first


@pytest.mark.django_db
def test_setup_with_a_correct_code_confirms_the_device_and_opens_the_pages(client, coach, clock):
    client.force_login(coach)
    client.get(SETUP)
    key = bytes.fromhex(client.session[SETUP_KEY_SESSION_KEY])

    response = client.post(SETUP, {"token": f"{TOTP(key).token():06d}", "next": "/participants/"})

    assert response.status_code == 302
    assert response["Location"] == "/participants/"
    device = TOTPDevice.objects.get(user=coach)
    assert device.confirmed
    assert device.bin_key == key
    assert SETUP_KEY_SESSION_KEY not in client.session
    assert client.get("/participants/").status_code == 200


@pytest.mark.django_db
def test_setup_accepts_the_code_written_with_a_space(client, coach, clock):
    client.force_login(coach)
    client.get(SETUP)
    token = f"{TOTP(bytes.fromhex(client.session[SETUP_KEY_SESSION_KEY])).token():06d}"

    response = client.post(SETUP, {"token": f"{token[:3]} {token[3:]}"})

    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=coach, confirmed=True).exists()


@pytest.mark.django_db
def test_setup_with_a_wrong_code_saves_nothing(client, coach, clock):
    client.force_login(coach)
    client.get(SETUP)
    right = f"{TOTP(bytes.fromhex(client.session[SETUP_KEY_SESSION_KEY])).token():06d}"

    response = client.post(SETUP, {"token": wrong_code(right)})

    assert response.status_code == 200
    assert "Koden är fel eller har gått ut" in response.content.decode()
    assert not TOTPDevice.objects.exists()
    assert client.get("/participants/").status_code == 302


@pytest.mark.django_db
def test_user_with_a_device_cannot_replace_it_with_only_a_password(client, coach, device):
    client.force_login(coach)

    response = client.get(SETUP)

    assert response.status_code == 302
    assert response["Location"] == VERIFY
    assert TOTPDevice.objects.filter(user=coach).count() == 1


# --- Later logins: enter the code ------------------------------------------------


@pytest.mark.django_db
def test_user_with_a_device_is_sent_to_verify_after_password_login(client, coach, device):
    password_login(client)

    response = client.get("/participants/")

    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=/participants/"
    assert client.get(VERIFY).status_code == 200


@pytest.mark.django_db
def test_verify_with_the_right_code_lets_the_user_in(client, coach, device, clock):
    password_login(client)

    response = client.post(VERIFY, {"token": code(device), "next": "/participants/"})

    assert response.status_code == 302
    assert response["Location"] == "/participants/"
    assert client.get("/participants/").status_code == 200


@pytest.mark.django_db
def test_verify_refuses_a_wrong_code(client, coach, device, clock):
    password_login(client)

    response = client.post(VERIFY, {"token": wrong_code(code(device))})

    assert response.status_code == 200
    assert "Koden är fel eller har gått ut" in response.content.decode()
    assert client.get("/participants/").status_code == 302


@pytest.mark.django_db
def test_wrong_codes_are_throttled(client, coach, device, clock):
    password_login(client)
    client.post(VERIFY, {"token": wrong_code(code(device))})

    at_once = client.post(VERIFY, {"token": code(device)})
    clock.shift(datetime.timedelta(seconds=2))
    after_waiting = client.post(VERIFY, {"token": code(device)})

    assert at_once.status_code == 200
    assert "För många felaktiga koder" in at_once.content.decode()
    assert after_waiting.status_code == 302


@pytest.mark.django_db
def test_a_code_cannot_be_used_twice(coach, device, clock):
    first, second = Client(), Client()
    password_login(first)
    password_login(second)
    token = code(device)

    assert first.post(VERIFY, {"token": token}).status_code == 302
    assert second.post(VERIFY, {"token": token}).status_code == 200


@pytest.mark.django_db
def test_verification_gives_the_session_a_new_id(client, coach, device, clock):
    password_login(client)
    before = client.cookies["sessionid"].value

    client.post(VERIFY, {"token": code(device)})

    assert client.cookies["sessionid"].value != before


@pytest.mark.django_db
def test_verify_does_not_redirect_to_another_host(client, coach, device, clock):
    password_login(client)

    response = client.post(VERIFY, {"token": code(device), "next": "https://evil.example/"})

    assert response["Location"] == "/"


@pytest.mark.django_db
def test_verify_without_a_device_goes_to_setup(client, coach):
    client.force_login(coach)

    response = client.get(f"{VERIFY}?next=/dashboard/")

    assert response["Location"] == f"{SETUP}?next=%2Fdashboard%2F"


# --- What an unverified user can reach ---------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/participants/", "/dashboard/", "/accounts/password/", "/admin/"]
)
def test_unverified_user_is_redirected_from_every_other_page(client, coach, device, path):
    client.force_login(coach)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


@pytest.mark.django_db
def test_unverified_staff_cannot_reach_the_admin(client, device):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    device.user = superuser
    device.save()
    client.force_login(superuser)

    response = client.get("/admin/participants/participant/")

    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=/admin/participants/participant/"


@pytest.mark.django_db
def test_unverified_user_can_log_out_and_change_language(client, coach, device):
    client.force_login(coach)

    language = client.post("/i18n/setlang/", {"language": "en", "next": VERIFY})
    logout = client.post("/accounts/logout/")

    assert language.status_code == 302
    assert logout.status_code == 302
    assert logout["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_two_factor_pages_show_no_navigation_to_case_data(client, coach, device):
    client.force_login(coach)

    html = client.get(VERIFY).content.decode()

    assert 'href="/participants/"' not in html


# --- The demo notice -------------------------------------------------------------


@pytest.mark.django_db
def test_pages_say_so_when_two_factor_is_off(client, coach, settings):
    settings.REQUIRE_2FA = False
    client.force_login(coach)

    response = client.get("/participants/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Demo: two-step verification is switched off" in response.content.decode()
    assert 'class="two-factor-off' in Client().get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_no_demo_notice_when_two_factor_is_on(client, coach, device, clock):
    password_login(client)
    client.post(VERIFY, {"token": code(device)})

    html = client.get("/participants/").content.decode()

    assert 'class="two-factor-off' not in html


def _require_2fa_with(env: dict[str, str]) -> str:
    # A fresh interpreter: settings are read from the environment once, at import.
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "REQUIRE_2FA"}}
    result = subprocess.run(
        [sys.executable, "-c", "import stockholmsjobb.settings as s; print(s.REQUIRE_2FA)"],
        env={**environment, **env},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_two_factor_is_required_unless_debug():
    assert _require_2fa_with({}) == "True"
    assert _require_2fa_with({"DEBUG": "false"}) == "True"
    assert _require_2fa_with({"DEBUG": "true"}) == "False"
    assert _require_2fa_with({"DEBUG": "true", "REQUIRE_2FA": "true"}) == "True"


# --- The access log ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_log_says_login_only_after_the_second_factor_and_keeps_wrong_codes(
    client, coach, device, clock
):
    from audit.models import AccessLogEntry, Action

    password_login(client)
    client.post(VERIFY, {"token": wrong_code(code(device))})
    clock.shift(datetime.timedelta(seconds=5))  # past the throttle after a wrong code
    client.post(VERIFY, {"token": code(device)})

    rows = list(
        AccessLogEntry.objects.filter(username=coach.username)
        .order_by("id")
        .values_list("action", "detail")
    )
    assert rows == [
        (Action.PASSWORD_OK, ""),
        (Action.LOGIN_FAILED, "second factor: wrong code"),
        (Action.LOGIN, "second factor"),
    ]


@pytest.mark.django_db
def test_a_wrong_code_while_pairing_is_logged_too(client, coach, clock):
    from audit.models import AccessLogEntry, Action

    client.force_login(coach)
    client.get(SETUP)
    right = f"{TOTP(bytes.fromhex(client.session[SETUP_KEY_SESSION_KEY])).token():06d}"
    client.post(SETUP, {"token": wrong_code(right)})

    assert AccessLogEntry.objects.filter(
        username=coach.username, action=Action.LOGIN_FAILED, detail="second factor: wrong code"
    ).exists()
