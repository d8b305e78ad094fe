import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    AdminFactory,
    CoachFactory,
    FollowUpFactory,
    ParticipantFactory,
    PlacementFactory,
    UserFactory,
)
from tests.helpers import unlabelled_controls

pytestmark = pytest.mark.django_db

D = datetime.date
URL = "/followups/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2021, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


def open_followup(participant, end: datetime.date, **kwargs):
    placement = PlacementFactory(
        participant=participant, start_date=end.replace(year=end.year - 1), end_date=end
    )
    return FollowUpFactory(placement=placement, **kwargs)


def rows(response) -> list:
    return list(response.context["page"])


def test_anonymous_user_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_user_without_a_role_is_refused(client, unit):
    client.force_login(UserFactory(unit=unit))
    assert client.get(URL).status_code == 403


def test_coach_sees_due_and_overdue_follow_ups_oldest_first(client, coach, participant, unit):
    later = open_followup(participant, D(2020, 12, 20))  # due 2021-03-20: within 30 days
    overdue = open_followup(participant, D(2020, 10, 31))  # due 2021-01-31
    soon = open_followup(participant, D(2020, 12, 3))  # due 2021-03-03
    open_followup(participant, D(2021, 2, 15))  # due 2021-05-15: beyond the horizon
    open_followup(
        participant, D(2020, 9, 30), performed_on=D(2020, 12, 30), outcome="studier"
    )  # done
    client.force_login(coach)

    response = client.get(URL)

    assert response.status_code == 200
    assert rows(response) == [overdue, soon, later]
    html = response.content.decode()
    assert f'href="/participants/{participant.pk}/#followup-{overdue.placement_id}"' in html
    assert "text-bg-danger" in html  # overdue
    assert "text-bg-warning" in html  # due this week
    assert "text-bg-secondary" in html  # upcoming
    assert participant.personnummer not in html
    assert unlabelled_controls(html) == []


def test_a_longer_horizon_shows_more(client, coach, participant):
    far = open_followup(participant, D(2021, 2, 15))  # due 2021-05-15
    client.force_login(coach)
    assert rows(client.get(URL, {"within": 90})) == [far]
    assert rows(client.get(URL, {"within": "bogus"})) == []


def test_coach_starts_on_their_own_and_can_see_the_unit(client, coach, participant, unit):
    colleagues = ParticipantFactory(unit=unit, coach=CoachFactory(unit=unit))
    mine = open_followup(participant, D(2020, 11, 30))
    theirs = open_followup(colleagues, D(2020, 11, 30))
    client.force_login(coach)
    assert rows(client.get(URL)) == [mine]
    assert set(rows(client.get(URL, {"scope": "unit"}))) == {mine, theirs}


def test_another_units_follow_ups_never_show(client, other_coach, participant):
    open_followup(participant, D(2020, 11, 30))
    client.force_login(other_coach)
    response = client.get(URL, {"scope": "unit"})
    assert rows(response) == []
    assert participant.last_name not in response.content.decode()


def test_manager_sees_the_unit(client, manager, participant):
    followup = open_followup(participant, D(2020, 11, 30))
    client.force_login(manager)
    assert rows(client.get(URL)) == [followup]


def test_admin_sees_every_unit(client, participant, other_unit):
    here = open_followup(participant, D(2020, 11, 30))
    there = open_followup(ParticipantFactory(unit=other_unit), D(2020, 11, 30))
    client.force_login(AdminFactory())
    assert set(rows(client.get(URL))) == {here, there}


def _queries(client, coach, unit, count: int) -> int:
    for _ in range(count):
        open_followup(ParticipantFactory(unit=unit, coach=coach), D(2020, 12, 1))
    client.force_login(coach)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"scope": "unit"}).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_page(client, unit):
    assert _queries(client, CoachFactory(unit=unit), unit, 3) == _queries(
        client, CoachFactory(unit=unit), unit, 30
    )
