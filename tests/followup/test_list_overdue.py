"""/followups/?within=overdue lists the follow-ups past their due date only; a unit
filter is a field only for those offered it."""

import datetime

import pytest
import time_machine

from tests.factories import AdminFactory, FollowUpFactory, ParticipantFactory
from tests.helpers import unlabelled_controls

pytestmark = pytest.mark.django_db

D = datetime.date
URL = "/followups/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2021, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def followups(unit, coach) -> dict:
    def due(date: datetime.date):
        return FollowUpFactory(
            placement__participant=ParticipantFactory(unit=unit, coach=coach), due_date=date
        )

    return {
        "overdue": due(D(2021, 2, 28)),
        "today": due(D(2021, 3, 1)),
        "soon": due(D(2021, 3, 20)),
    }


def rows(response) -> list:
    return list(response.context["page"])


def test_overdue_only_leaves_out_those_due_today_and_later(client, coach, followups):
    client.force_login(coach)
    assert rows(client.get(URL)) == [followups["overdue"], followups["today"], followups["soon"]]
    response = client.get(URL, {"within": "overdue"}, HTTP_ACCEPT_LANGUAGE="en")
    assert rows(response) == [followups["overdue"]]
    html = response.content.decode()
    assert '<option value="overdue" selected>' in html
    assert "1 overdue follow-up" in html
    assert unlabelled_controls(html) == []


def test_overdue_only_says_so_when_there_are_none(client, coach, unit):
    FollowUpFactory(
        placement__participant=ParticipantFactory(unit=unit, coach=coach), due_date=D(2021, 3, 5)
    )
    client.force_login(coach)
    response = client.get(URL, {"within": "overdue"}, HTTP_ACCEPT_LANGUAGE="en")
    assert rows(response) == []
    assert "No follow-ups are overdue." in response.content.decode()


def test_overdue_only_is_kept_by_the_pages_and_the_scope_links(client, coach, unit):
    for _ in range(26):
        FollowUpFactory(
            placement__participant=ParticipantFactory(unit=unit, coach=coach),
            due_date=D(2021, 2, 1),
        )
    client.force_login(coach)
    html = client.get(URL, {"within": "overdue"}).content.decode()
    assert "within=overdue&amp;page=2" in html


def test_a_manager_refused_a_unit_gets_the_reason_but_no_unit_field(
    client, manager, other_unit, followups
):
    client.force_login(manager)
    response = client.get(URL, {"unit": other_unit.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose one of the units you work with." in html
    assert 'name="unit"' not in html


def test_a_manager_never_gets_a_unit_field_and_keeps_their_own_unit_hidden(
    client, manager, unit, followups
):
    client.force_login(manager)
    assert 'name="unit"' not in client.get(URL).content.decode()
    html = client.get(URL, {"unit": unit.pk}).content.decode()
    assert f'<input type="hidden" name="unit" value="{unit.pk}">' in html
    assert '<select name="unit"' not in html


def test_an_admin_is_offered_the_unit_field_and_sees_its_error_beside_it(client, unit):
    client.force_login(AdminFactory())
    assert '<select name="unit"' in client.get(URL).content.decode()
    response = client.get(URL, {"unit": "999999"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert '<select name="unit"' in html
    assert "Choose one of the units you work with." in html
