"""A NUL character in a query string is a 400, never a server error (issue 12, point 11)."""

import pytest

pytestmark = pytest.mark.django_db

LOG = "/admin/audit/accesslogentry/"


@pytest.mark.parametrize(
    "query",
    [
        {"q": "a\x00b"},
        {"action": "vi\x00ew"},
        {"at__year": "2024\x00"},
        {"o\x00": "1"},
    ],
)
def test_a_nul_in_the_access_log_filters_is_refused(admin_client, query):
    assert admin_client.get(LOG, query).status_code == 400


def test_the_same_filters_without_nul_work(admin_client):
    assert admin_client.get(LOG, {"action": "view", "q": "anna"}).status_code == 200


def test_an_overflowing_year_is_no_server_error(admin_client):
    assert admin_client.get(LOG, {"at__year": "99999999"}).status_code in (200, 302)


def test_a_nul_anywhere_else_is_refused_too(client, coach):
    client.force_login(coach)
    assert client.get("/participants/", {"q": "\x00"}).status_code == 400
