"""A query string the database or the admin cannot take is a 400, never a server error."""

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


@pytest.mark.parametrize(
    ("path", "query"),
    [
        (LOG, {"at__year": "99999999"}),
        ("/admin/participants/participant/", {"enrolled_on__year": "9" * 20}),
        ("/admin/placements/placement/", {"start_date__year": "2024", "start_date__month": "1e9"}),
        ("/admin/followup/followup/", {"due_date__year": "2024", "due_date__day": "-1"}),
    ],
)
def test_a_date_part_that_is_no_small_number_is_refused(admin_client, path, query):
    assert admin_client.get(path, query).status_code == 400


def test_a_real_date_part_still_filters(admin_client):
    response = admin_client.get("/admin/participants/participant/", {"enrolled_on__year": "2024"})
    assert response.status_code == 200


def test_a_nul_anywhere_else_is_refused_too(client, coach):
    client.force_login(coach)
    assert client.get("/participants/", {"q": "\x00"}).status_code == 400
