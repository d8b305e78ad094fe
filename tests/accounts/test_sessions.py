"""Sessions: a new id at login, 30 minutes idle, 12 hours at most, ended by logout,
password change and deactivation."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client

START = datetime.datetime(2026, 3, 2, 7, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm"))
PASSWORD = "correct horse battery"
PAGE = "/participants/"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def log_in(client: Client, username: str = "coach1", password: str = PASSWORD) -> None:
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302


def session_id(client: Client) -> str:
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def with_cookie(value: str) -> Client:
    """Another browser, replaying a session cookie."""
    replay = Client()
    replay.cookies[django_settings.SESSION_COOKIE_NAME] = value
    return replay


def is_refused(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_login_gives_a_new_session_id_and_the_old_one_is_gone(client, coach):
    anonymous = client.session
    anonymous["seen"] = True
    anonymous.save()
    before = session_id(client)

    log_in(client)

    assert session_id(client) != before
    assert not Session.objects.filter(session_key=before).exists()
    assert is_refused(with_cookie(before).get(PAGE))


@pytest.mark.django_db
def test_session_cookie_replayed_after_logout_is_refused(client, coach):
    log_in(client)
    cookie = session_id(client)
    assert with_cookie(cookie).get(PAGE).status_code == 200

    client.post("/accounts/logout/")

    assert is_refused(with_cookie(cookie).get(PAGE))


@pytest.mark.django_db
def test_session_survives_29_idle_minutes(client, coach, clock):
    log_in(client)

    clock.shift(datetime.timedelta(minutes=29))

    assert client.get(PAGE).status_code == 200


@pytest.mark.django_db
def test_session_ends_after_31_idle_minutes_and_its_cookie_is_refused(client, coach, clock):
    log_in(client)
    cookie = session_id(client)

    clock.shift(datetime.timedelta(minutes=31))

    assert is_refused(client.get(PAGE))
    assert is_refused(with_cookie(cookie).get(PAGE))


@pytest.mark.django_db
def test_session_ends_after_12_hours_however_active(client, coach, clock):
    log_in(client)
    cookie = session_id(client)
    elapsed = datetime.timedelta()
    while elapsed < datetime.timedelta(hours=11, minutes=40):
        clock.shift(datetime.timedelta(minutes=20))
        elapsed += datetime.timedelta(minutes=20)
        assert client.get(PAGE).status_code == 200, elapsed

    clock.shift(datetime.timedelta(minutes=21))

    assert is_refused(client.get(PAGE))
    assert is_refused(with_cookie(cookie).get(PAGE))


@pytest.mark.django_db
def test_twelve_hours_count_from_the_latest_login(client, coach, clock):
    log_in(client)
    clock.shift(datetime.timedelta(hours=11, minutes=50))
    client.post("/accounts/logout/")
    clock.shift(datetime.timedelta(minutes=5))
    log_in(client)

    clock.shift(datetime.timedelta(minutes=20))

    assert client.get(PAGE).status_code == 200


@pytest.mark.django_db
def test_password_change_keeps_this_session_and_ends_the_others(coach):
    here, elsewhere = Client(), Client()
    log_in(here)
    log_in(elsewhere)

    response = here.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "ett nytt långt lösenord",
            "new_password2": "ett nytt långt lösenord",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/done/"
    assert here.get(PAGE).status_code == 200
    assert is_refused(elsewhere.get(PAGE))


@pytest.mark.django_db
def test_password_change_page_has_labelled_password_fields(client, coach):
    log_in(client)

    html = client.get("/accounts/password/").content.decode()

    for name in ("old_password", "new_password1", "new_password2"):
        assert f'for="id_{name}"' in html
    assert 'autocomplete="current-password"' in html
    assert 'autocomplete="new-password"' in html


@pytest.mark.django_db
def test_password_change_with_a_wrong_old_password_changes_nothing(client, coach):
    log_in(client)

    response = client.post(
        "/accounts/password/",
        {
            "old_password": "fel",
            "new_password1": "ett nytt långt lösenord",
            "new_password2": "ett nytt långt lösenord",
        },
    )

    assert response.status_code == 200
    coach.refresh_from_db()
    assert coach.check_password(PASSWORD)


def test_password_change_page_needs_a_login(client, db):
    assert is_refused(client.get("/accounts/password/"))


@pytest.mark.django_db
def test_deactivation_ends_all_the_users_sessions_for_good(coach):
    first, second = Client(), Client()
    log_in(first)
    log_in(second)

    coach.is_active = False
    coach.save(update_fields=["is_active"])
    refused = [is_refused(first.get(PAGE)), is_refused(second.get(PAGE))]
    # Reactivating the account does not bring the old sessions back.
    coach.is_active = True
    coach.save(update_fields=["is_active"])

    assert refused == [True, True]
    assert is_refused(first.get(PAGE))
    assert is_refused(second.get(PAGE))


@pytest.mark.django_db
def test_an_htmx_request_after_the_session_ended_reloads_the_page_at_the_login(client, participant):
    response = client.post(
        f"/participants/{participant.pk}/notes/",
        {"text": "x"},
        headers={
            "HX-Request": "true",
            "HX-Current-URL": f"http://testserver/participants/{participant.pk}/",
        },
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/accounts/login/?next=/participants/{participant.pk}/"
