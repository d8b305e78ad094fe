"""django-axes: 5 failed logins per username and client address lock that pair for 15 minutes."""

import datetime
import logging
import zoneinfo

import pytest
import time_machine
from axes.models import AccessAttempt

LOGIN = "/accounts/login/"
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=STOCKHOLM)
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _lockout_on(settings):
    settings.AXES_ENABLED = True


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def log_in(client, password: str, username: str = "coach1", **headers):
    return client.post(LOGIN, {"username": username, "password": password}, **headers)


def fail(client, times: int, **headers) -> list:
    return [log_in(client, "wrong password", **headers) for _ in range(times)]


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_fifth_wrong_password_shows_the_lockout_page(client, coach, clock):
    responses = fail(client, 5)

    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in responses[4].templates]


@pytest.mark.django_db
def test_lockout_page_says_when_to_try_again_and_whom_to_contact_in_swedish_and_english(
    client, coach, clock
):
    html = fail(client, 5)[-1].content.decode()

    assert '<section lang="sv"' in html
    assert '<section lang="en"' in html
    assert "Du kan försöka igen klockan 09:15." in html
    assert "You can try again at 09:15." in html
    assert "systemförvaltaren" in html
    assert "system administrator" in html


@pytest.mark.django_db
def test_locked_out_user_is_refused_even_with_the_right_password(client, coach, clock):
    fail(client, 5)

    response = log_in(client, PASSWORD)

    assert response.status_code == 429
    assert not is_logged_in(client)


@pytest.mark.django_db
def test_lockout_ends_after_fifteen_minutes(client, coach, clock):
    fail(client, 5)
    clock.shift(datetime.timedelta(minutes=14))
    assert log_in(client, PASSWORD).status_code == 429

    clock.shift(datetime.timedelta(minutes=2))
    response = log_in(client, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_logged_in(client)


@pytest.mark.django_db
def test_attempts_during_the_lockout_do_not_extend_it(client, coach, clock):
    fail(client, 5)
    clock.shift(datetime.timedelta(minutes=10))
    fail(client, 3)

    clock.shift(datetime.timedelta(minutes=6))

    assert log_in(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_four_failures_do_not_lock(client, coach, clock):
    fail(client, 4)

    assert log_in(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_successful_login_resets_the_failure_count(client, coach, clock):
    fail(client, 4)
    assert log_in(client, PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    responses = fail(client, 4)

    assert {r.status_code for r in responses} == {200}
    assert log_in(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_same_username_from_another_address_is_not_locked(client, coach, clock):
    fail(client, 5, REMOTE_ADDR="192.0.2.10")

    response = log_in(client, PASSWORD, REMOTE_ADDR="192.0.2.20")

    assert response.status_code == 302


@pytest.mark.django_db
def test_another_username_from_the_locked_address_is_not_locked(client, coach, other_coach, clock):
    fail(client, 5, REMOTE_ADDR="192.0.2.10")

    response = log_in(client, PASSWORD, username="coach2", REMOTE_ADDR="192.0.2.10")

    assert response.status_code == 302


@pytest.mark.django_db
def test_x_forwarded_for_is_ignored_unless_behind_a_proxy(client, coach, clock, settings):
    settings.BEHIND_PROXY = False
    for n in range(5):
        log_in(client, "wrong", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")

    response = log_in(
        client, PASSWORD, REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.10"}


@pytest.mark.django_db
def test_behind_a_proxy_the_address_the_proxy_appended_is_the_client(
    client, coach, clock, settings
):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    fail(client, 5, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)

    # Another client behind the same proxy may log in...
    other = log_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy)
    client.post("/accounts/logout/")
    # ...but the locked client cannot escape by writing its own X-Forwarded-For.
    spoofed = log_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7", **proxy)

    assert other.status_code == 302
    assert spoofed.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


@pytest.mark.django_db
def test_behind_two_proxies_the_client_is_second_from_the_right(client, coach, clock, settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.PROXY_COUNT = 2

    log_in(
        client,
        "wrong",
        REMOTE_ADDR="10.0.0.3",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7, 10.0.0.2",
    )

    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


@pytest.mark.django_db
def test_lockout_log_lines_and_stored_attempts_hold_no_password_or_identity(
    client, coach, clock, caplog
):
    with caplog.at_level(logging.DEBUG, logger="axes"):
        for _ in range(5):
            client.post(
                LOGIN,
                {
                    "username": "coach1",
                    "password": "Hemligt-lösenord-1",
                    "csrfmiddlewaretoken": "csrf-token-value",
                },
                REMOTE_ADDR="192.0.2.10",
                HTTP_USER_AGENT="Browser/1.0 (Ingrid's laptop)",
            )

    assert "AXES" in caplog.text
    for secret in ("Hemligt-lösenord-1", "coach1", "192.0.2.10", "Ingrid", "csrf-token-value"):
        assert secret not in caplog.text, secret
    attempt = AccessAttempt.objects.get()
    assert "Hemligt-lösenord-1" not in attempt.post_data
    assert "csrf-token-value" not in attempt.post_data


@pytest.mark.django_db
def test_a_client_reaching_the_app_server_directly_cannot_choose_its_address(
    client, coach, clock, settings
):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # Not from the proxy: a rotating X-Forwarded-For must not dodge the lockout.
    for n in range(5):
        log_in(client, "wrong", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")

    response = log_in(
        client, PASSWORD, REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.10"}


@pytest.mark.django_db
def test_password_spraying_from_one_address_locks_the_address(client, coach, clock, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 20
    # Four wrong passwords each for eight usernames: under axes' five per username.
    for n in range(8):
        for _ in range(4):
            log_in(client, "Sommar2026!", username=f"staff{n}", REMOTE_ADDR="192.0.2.66")

    sprayer = log_in(client, PASSWORD, REMOTE_ADDR="192.0.2.66")
    elsewhere = log_in(client, PASSWORD, REMOTE_ADDR="192.0.2.67")

    assert sprayer.status_code == 429
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_password_spraying_through_the_admin_login_locks_the_address(client, coach, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 20
    for n in range(8):
        for _ in range(3):
            client.post(
                "/admin/login/",
                {"username": f"staff{n}", "password": "Sommar2026!"},
                REMOTE_ADDR="192.0.2.77",
            )

    sprayer = client.post(
        "/admin/login/",
        {"username": coach.username, "password": PASSWORD},
        REMOTE_ADDR="192.0.2.77",
    )
    on_the_other_page = log_in(client, PASSWORD, REMOTE_ADDR="192.0.2.77")

    assert sprayer.status_code == 429
    assert on_the_other_page.status_code == 429
