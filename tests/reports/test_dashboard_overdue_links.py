"""The dashboard's overdue count per coach opens a list with exactly those follow-ups."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from tests.factories import AdminFactory, FollowUpFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2021, 6, 15)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2021, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield


def followups_of(coach, unit, *due_dates: datetime.date) -> None:
    for due in due_dates:
        FollowUpFactory(
            placement__participant=ParticipantFactory(unit=unit, coach=coach), due_date=due
        )


def overdue_rows(client) -> list[tuple[str | None, list]]:
    response = client.get(reverse("reports:dashboard"), {"unit": "all"})
    table = next(t for t in response.context["tables"] if t.slug == "overdue")
    return table.linked_rows


def listed(client, link: str) -> int:
    response = client.get(link)
    assert response.status_code == 200
    return response.context["page"].paginator.count


def test_the_overdue_count_is_the_number_of_follow_ups_its_link_lists(client, manager, coach, unit):
    # Two overdue; three more due within the list's usual 30 days; one registered.
    followups_of(coach, unit, D(2021, 5, 1), D(2021, 6, 14))
    followups_of(coach, unit, TODAY, D(2021, 6, 20), D(2021, 7, 10))
    FollowUpFactory(
        placement__participant=ParticipantFactory(unit=unit, coach=coach),
        due_date=D(2021, 4, 1),
        performed_on=D(2021, 4, 2),
        outcome="studier",
    )
    client.force_login(manager)
    ((link, row),) = overdue_rows(client)
    assert row[2] == 2
    assert listed(client, link) == 2
    response = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
    assert "2 overdue follow-ups" in response.content.decode()


def test_an_admins_links_count_a_coach_per_unit_as_the_table_does(client, coach, unit, other_unit):
    # The coach's participants in two units (one moved with the coach): a row per unit.
    followups_of(coach, unit, D(2021, 5, 1), D(2021, 5, 2), D(2021, 5, 3))
    followups_of(coach, other_unit, D(2021, 5, 1))
    client.force_login(AdminFactory())
    rows = overdue_rows(client)
    assert sorted(row[2] for _link, row in rows) == [1, 3]
    for link, row in rows:
        assert listed(client, link) == row[2]
