"""The admin's desk: every door an admin needs, and the Django admin's ways back to it."""

import re

import pytest
from django.urls import reverse

from casework.models import PlacementImport
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

DESK = reverse("desk:index")
DOORS = {
    "annual report": reverse("annual:index"),
    "SCB follow-up": reverse("annual:scb"),
    "dashboard": reverse("reports:dashboard"),
    "transfers": reverse("transfers:list"),
    "access log": reverse("audit:review"),
    "users": reverse("admin:accounts_user_changelist"),
    "placement import": reverse("placement_import:upload"),
    "survey rounds": reverse("desk:survey_rounds"),
    "workplaces": reverse("placements:workplace_list"),
    "Django admin": reverse("admin:index"),
}


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory(username="desk_admin"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def links(response) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', response.content.decode()))


@pytest.mark.parametrize("role", ["coach", "manager"])
def test_coach_and_manager_are_refused_the_desk(client, coach, manager, role):
    client.force_login({"coach": coach, "manager": manager}[role])
    assert client.get(DESK).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(DESK)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_admin_lands_on_the_desk(admin_client):
    response = admin_client.get("/", follow=True)
    assert response.redirect_chain == [(DESK, 302)]
    assert response.status_code == 200


def test_the_desk_links_to_everything_an_admin_does(admin_client):
    response = admin_client.get(DESK)

    assert response.status_code == 200
    missing = {name for name, url in DOORS.items() if url not in links(response)}
    assert not missing
    for group in ("Reports", "People", "Data", "Django admin"):
        assert f">{group}</h2>" in response.content.decode()


def test_the_desk_says_when_an_import_waits_for_confirmation(admin_client):
    assert "waiting for confirmation" not in admin_client.get(DESK).content.decode()
    PlacementImport.objects.create(rows=3)

    assert "1 waiting for confirmation" in admin_client.get(DESK).content.decode()


def test_the_django_admin_index_links_back_to_the_desk_and_the_reports(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assert response.status_code == 200
    found = links(response)
    for name in ("annual report", "SCB follow-up", "access log", "placement import"):
        assert DOORS[name] in found, name
    assert DESK in found


def test_the_django_admins_view_site_goes_to_the_desk(admin_client):
    page = admin_client.get(reverse("admin:participants_unit_changelist")).content.decode()

    user_tools = page[page.index('id="user-tools"') :]
    user_tools = user_tools[: user_tools.index("</div>")]
    assert f'<a href="{DESK}">View site</a>' in user_tools
