"""The menu: each role sees only the places it may go, the report pages under one menu."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import Role
from tests.factories import AdminFactory, CoachFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db

REPORTS = "Reports"


def _menu(client: Client, path: str = "/participants/") -> dict:
    """The menu as labels: a link is its label, a drop-down maps its label to its links."""
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, path
    menu = {}
    for link in response.context["nav_menu"]:
        if link.children:
            menu[str(link.label)] = {str(child.label): child.url for child in link.children}
        else:
            menu[str(link.label)] = link.url
    return menu


def _active(client: Client, path: str) -> list[str]:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    actives = []
    for link in response.context["nav_menu"]:
        actives += [str(child.label) for child in link.children if child.active]
        if link.active:
            actives.append(str(link.label))
    return actives


def test_a_coach_has_their_week_and_the_dashboard_under_reports(client, unit):
    client.force_login(CoachFactory(unit=unit))
    menu = _menu(client)
    assert list(menu) == ["My week", "Caseload", "Follow-ups", "Workplaces", "Survey", REPORTS]
    assert menu["My week"] == "/"
    assert menu[REPORTS] == {"Dashboard": "/dashboard/"}


def test_a_manager_has_transfers_and_the_survey_results_but_no_admin_reports(client, unit):
    client.force_login(ManagerFactory(unit=unit))
    menu = _menu(client)
    assert "My week" not in menu and "Desk" not in menu and "Administration" not in menu
    assert menu["Transfer requests"] == "/transfers/"
    assert menu[REPORTS] == {"Dashboard": "/dashboard/", "Survey results": "/survey/results/"}


def test_an_admin_has_the_desk_with_the_django_admin_and_every_report(client):
    client.force_login(AdminFactory())
    menu = _menu(client, "/desk/")
    assert menu["Desk"] == {"Desk": "/desk/", "Administration": "/admin/"}
    assert "Caseload" not in menu and "My week" not in menu
    assert menu[REPORTS] == {
        "Dashboard": "/dashboard/",
        "Survey results": "/survey/results/",
        "Annual report": "/reports/",
        "SCB follow-up": "/reports/scb/",
        "Access log": "/audit/",
    }


def test_staff_without_a_role_reach_only_the_django_admin(client):
    user = UserFactory(is_staff=True, unit=None)
    client.force_login(user)
    response = client.get("/accessibility/", HTTP_ACCEPT_LANGUAGE="en")
    assert [(str(link.label), link.url) for link in response.context["nav_menu"]] == [
        ("Administration", "/admin/")
    ]


def test_anonymous_visitors_have_no_menu(client):
    response = client.get("/accessibility/")
    assert response.context["nav_menu"] == []
    assert response.context["nav_items"] == []


def test_every_place_of_the_menu_opens_for_the_user_it_is_shown_to(client, unit):
    user = CoachFactory(unit=unit, is_staff=True)
    user.groups.set(Group.objects.filter(name__in=[Role.COACH, Role.MANAGER, Role.ADMIN]))
    client.force_login(user)
    response = client.get("/participants/")
    for url, label in response.context["nav_items"]:
        assert client.get(url).status_code == 200, (url, str(label))


def test_the_page_marks_its_own_link_only(client, unit):
    user = CoachFactory(unit=unit)
    user.groups.add(Group.objects.get(name=Role.MANAGER))
    client.force_login(user)
    assert _active(client, "/") == ["My week"]
    # "/" is the week only, not every page.
    assert _active(client, "/participants/") == ["Caseload"]
    # The results belong to the results, under Reports, not to the survey.
    assert _active(client, "/survey/results/") == ["Survey results", REPORTS]
    assert _active(client, "/accessibility/") == []
