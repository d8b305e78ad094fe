import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    AdminFactory,
    CoachFactory,
    ParticipantFactory,
    PlacementFactory,
    UserFactory,
    WorkplaceFactory,
)
from tests.helpers import unlabelled_controls

pytestmark = pytest.mark.django_db

D = datetime.date
LIST = "/workplaces/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2021, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def workplace():
    return WorkplaceFactory(
        name="Förskolan Solrosen",
        organisation="Utbildningsförvaltningen",
        organisation_kind="city_department",
        industry="Förskola",
        setting="ordinary",
        shortage_occupation=True,
        contact_name="Maria Kontakt",
        contact_email="maria@example.se",
    )


@pytest.fixture
def elderly_care():
    return WorkplaceFactory(
        name="Vårdboendet Ekgården",
        organisation="Äldreförvaltningen",
        organisation_kind="procured_supplier",
        industry="Äldreomsorg",
        setting="adapted",
        shortage_occupation=False,
    )


def names(response) -> list[str]:
    return [w.name for w in response.context["page"]]


def test_anonymous_user_is_sent_to_log_in(client, workplace):
    for url in (LIST, f"{LIST}{workplace.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")


def test_user_without_a_role_is_refused(client, workplace, unit):
    client.force_login(UserFactory(unit=unit))
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{workplace.pk}/").status_code == 403


def test_unknown_workplace_is_404(client, coach):
    client.force_login(coach)
    assert client.get(f"{LIST}999999/").status_code == 404


def test_list_with_current_placement_counts(client, coach, workplace, elderly_care):
    PlacementFactory(workplace=workplace, start_date=D(2020, 9, 1))
    PlacementFactory(workplace=workplace, start_date=D(2020, 10, 1), end_date=D(2021, 6, 30))
    PlacementFactory(workplace=workplace, start_date=D(2019, 1, 1), end_date=D(2019, 12, 31))
    client.force_login(coach)

    response = client.get(LIST)

    assert response.status_code == 200
    counts = {w.name: w.current_placements for w in response.context["page"]}
    assert counts == {"Förskolan Solrosen": 2, "Vårdboendet Ekgården": 0}
    assert unlabelled_controls(response.content.decode()) == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "solros"}, ["Förskolan Solrosen"]),
        ({"q": "Äldreförv"}, ["Vårdboendet Ekgården"]),
        ({"q": "SOLROSEN förskolan"}, ["Förskolan Solrosen"]),
        ({"organisation_kind": "procured_supplier"}, ["Vårdboendet Ekgården"]),
        ({"industry": "Förskola"}, ["Förskolan Solrosen"]),
        ({"setting": "adapted"}, ["Vårdboendet Ekgården"]),
        ({"shortage": "yes"}, ["Förskolan Solrosen"]),
        ({"shortage": "no"}, ["Vårdboendet Ekgården"]),
    ],
)
def test_list_search_and_filters(client, coach, workplace, elderly_care, params, expected):
    client.force_login(coach)
    assert names(client.get(LIST, params)) == expected


def test_list_is_paginated_with_bounded_queries(client, coach):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(LIST)
        return len(captured)

    client.force_login(coach)
    for index in range(3):
        PlacementFactory(workplace=WorkplaceFactory(name=f"A {index}"))
    few = queries()
    for index in range(30):
        PlacementFactory(workplace=WorkplaceFactory(name=f"B {index}"))
    assert queries() == few
    assert len(client.get(LIST).context["page"]) == 25


def test_workplace_page_shows_details_and_own_units_participants(
    client, coach, participant, workplace
):
    PlacementFactory(participant=participant, workplace=workplace, start_date=D(2020, 9, 1))
    client.force_login(coach)

    response = client.get(f"{LIST}{workplace.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Maria Kontakt" in html
    assert "Utbildningsförvaltningen" in html
    assert f'href="/participants/{participant.pk}/"' in html
    assert participant.last_name in html
    assert participant.personnummer not in html


def test_another_units_participant_is_shown_without_a_name(client, coach, workplace, other_unit):
    stranger = ParticipantFactory(unit=other_unit, first_name="Hemlig", last_name="Hemligsson")
    PlacementFactory(participant=stranger, workplace=workplace, start_date=D(2020, 9, 1))
    PlacementFactory(
        participant=stranger,
        workplace=workplace,
        start_date=D(2018, 1, 1),
        end_date=D(2018, 12, 31),
    )
    client.force_login(coach)

    response = client.get(f"{LIST}{workplace.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Hemlig" not in html
    assert f"/participants/{stranger.pk}/" not in html
    assert len(response.context["current"]) == 1
    assert response.context["past"].paginator.count == 1
    assert not response.context["current"][0].participant_readable


def test_workplace_page_queries_do_not_grow_with_placements(client, coach, unit, workplace):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(f"{LIST}{workplace.pk}/")
        return len(captured)

    client.force_login(coach)
    for year in (2016, 2017):
        PlacementFactory(
            participant=ParticipantFactory(unit=unit),
            workplace=workplace,
            start_date=D(year, 1, 1),
            end_date=D(year, 12, 31),
        )
    PlacementFactory(participant=ParticipantFactory(unit=unit), workplace=workplace)
    few = queries()
    for index in range(20):
        PlacementFactory(
            participant=ParticipantFactory(unit=unit), workplace=workplace, end_date=None
        )
        PlacementFactory(
            participant=ParticipantFactory(),
            workplace=workplace,
            start_date=D(2010 + index % 5, 1, 1),
            end_date=D(2010 + index % 5, 6, 30),
        )
    assert queries() == few


def test_admin_gets_links_to_the_administration(client, workplace):
    client.force_login(AdminFactory())
    html = client.get(f"{LIST}{workplace.pk}/").content.decode()
    assert f"/admin/placements/workplace/{workplace.pk}/change/" in html
    assert "/admin/placements/workplace/add/" in client.get(LIST).content.decode()


def test_coach_gets_no_administration_links(client, coach, workplace):
    client.force_login(coach)
    assert "/admin/" not in client.get(f"{LIST}{workplace.pk}/").content.decode()


def test_navigation_offers_follow_ups_and_workplaces(client, coach):
    client.force_login(coach)
    html = client.get(LIST).content.decode()
    assert 'href="/followups/"' in html
    assert 'href="/workplaces/"' in html


def test_coach_without_a_unit_sees_no_names(client, participant, workplace):
    PlacementFactory(participant=participant, workplace=workplace, start_date=D(2020, 9, 1))
    client.force_login(CoachFactory(unit=None))
    response = client.get(f"{LIST}{workplace.pk}/")
    assert response.status_code == 200
    assert participant.last_name not in response.content.decode()
