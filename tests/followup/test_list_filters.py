"""/followups/?coach=<pk>&unit=<pk>: the filters narrow within the user's reach, never widen it."""

import datetime

import pytest
import time_machine

from tests.factories import (
    AdminFactory,
    CoachFactory,
    FollowUpFactory,
    ParticipantFactory,
    PlacementFactory,
)
from tests.helpers import unlabelled_controls

pytestmark = pytest.mark.django_db

D = datetime.date
URL = "/followups/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2021, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


def open_followup(participant):
    end = D(2020, 11, 30)
    placement = PlacementFactory(
        participant=participant, start_date=end.replace(year=end.year - 1), end_date=end
    )
    return FollowUpFactory(placement=placement)


def rows(response) -> list:
    return list(response.context["page"])


@pytest.fixture
def world(unit, other_unit, coach, other_coach):
    colleague = CoachFactory(unit=unit, first_name="Kim", last_name="Kollega")
    return {
        "colleague": colleague,
        "mine": open_followup(ParticipantFactory(unit=unit, coach=coach)),
        "colleagues": open_followup(ParticipantFactory(unit=unit, coach=colleague)),
        "elsewhere": open_followup(
            ParticipantFactory(unit=other_unit, coach=other_coach, last_name="Borta")
        ),
    }


def test_manager_narrows_the_unit_to_one_coach(client, manager, coach, world):
    client.force_login(manager)
    assert rows(client.get(URL, {"coach": coach.pk})) == [world["mine"]]
    assert rows(client.get(URL, {"coach": world["colleague"].pk})) == [world["colleagues"]]
    assert set(rows(client.get(URL))) == {world["mine"], world["colleagues"]}


def test_coach_may_look_at_a_colleagues_list_in_their_unit(client, coach, world):
    client.force_login(coach)
    response = client.get(URL, {"coach": world["colleague"].pk})
    assert rows(response) == [world["colleagues"]]
    assert response.context["scope"] == "unit"


def test_another_units_coach_is_refused_and_nothing_of_theirs_shows(
    client, coach, other_coach, world
):
    client.force_login(coach)
    response = client.get(URL, {"coach": other_coach.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert rows(response) == []
    html = response.content.decode()
    assert "Choose a coach of your unit." in html
    assert "Borta" not in html


def test_a_manager_cannot_widen_to_another_unit(client, manager, other_unit, world):
    client.force_login(manager)
    response = client.get(URL, {"unit": other_unit.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert rows(response) == []
    assert "Choose one of the units you work with." in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "99999", "-1"])
def test_a_bad_coach_value_gets_a_clear_message(client, manager, world, value):
    client.force_login(manager)
    response = client.get(URL, {"coach": value}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert rows(response) == []
    assert "Choose a coach of your unit." in response.content.decode()


def test_the_own_unit_is_a_valid_choice_for_a_manager(client, manager, unit, world):
    client.force_login(manager)
    assert set(rows(client.get(URL, {"unit": unit.pk}))) == {world["mine"], world["colleagues"]}


def test_admin_narrows_by_unit_and_by_coach(client, other_unit, other_coach, coach, world):
    client.force_login(AdminFactory())
    assert rows(client.get(URL, {"unit": other_unit.pk})) == [world["elsewhere"]]
    assert rows(client.get(URL, {"coach": other_coach.pk})) == [world["elsewhere"]]
    # Both: a coach of another unit than the one asked for leaves nothing.
    assert rows(client.get(URL, {"unit": other_unit.pk, "coach": coach.pk})) == []
    html = client.get(URL).content.decode()
    assert 'name="unit"' in html
    assert unlabelled_controls(html) == []


def test_the_dashboards_link_for_a_coach_works_for_the_manager(client, manager, coach, world):
    client.force_login(manager)
    response = client.get(f"{URL}?coach={coach.pk}")
    assert response.status_code == 200
    assert response.context["filters"].cleaned_data["coach"] == coach
