""" "Active" is one rule: the caseload, the reassignment list and the week's reminder agree."""

import datetime

import pytest
import time_machine

from casework.selectors import active_cases
from casework.week import participants_without_activity, subsidies_waiting
from participants.models import Participant
from placements.models import WageSubsidyCase
from tests.factories import CoachFactory, FollowUpFactory, ParticipantFactory, PlacementFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2021, 3, 1)
REASSIGN = "/participants/reassign/"
CASELOAD = "/participants/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2021, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def cases(unit, coach) -> dict[str, Participant]:
    """An active case, one followed up long ago (before the window began on 2020-11-01),
    and a closed one; all the coach's, none with a support activity."""
    active = ParticipantFactory(unit=unit, coach=coach, last_name="Adams")
    settled = ParticipantFactory(unit=unit, coach=coach, last_name="Frost")
    ended = PlacementFactory(participant=settled, start_date=D(2019, 6, 1), end_date=D(2020, 6, 30))
    FollowUpFactory(placement=ended, performed_on=D(2020, 9, 30), outcome="studier")
    closed = ParticipantFactory(
        unit=unit, coach=coach, last_name="Ekholm", closed_on=D(2021, 1, 10), closed_reason="arbete"
    )
    return {"active": active, "settled": settled, "closed": closed}


def listed(response) -> list[str]:
    return sorted(p.last_name for p in response.context["page"].object_list)


def test_the_selector_leaves_out_closed_cases_and_those_followed_up_long_ago(cases):
    found = active_cases(
        Participant.objects.filter(pk__in=[p.pk for p in cases.values()]), today=TODAY
    )
    assert list(found) == [cases["active"]]


def test_reassignment_lists_the_active_cases_the_caseload_lists(client, manager, cases):
    client.force_login(manager)
    caseload = client.get(CASELOAD)
    response = client.get(REASSIGN, HTTP_ACCEPT_LANGUAGE="en")
    assert listed(response) == listed(caseload) == ["Adams"]
    assert response.context["page"].paginator.count == 1
    assert "1 active case matches the filters." in response.content.decode()


def test_cases_followed_up_long_ago_are_listed_and_moved_when_chosen(
    client, manager, unit, coach, cases
):
    staying = CoachFactory(unit=unit)
    client.force_login(manager)
    response = client.get(REASSIGN, {"case": "followed_up_long_ago"}, HTTP_ACCEPT_LANGUAGE="en")
    assert listed(response) == ["Frost"]
    assert "1 case matches the filters." in response.content.decode()

    response = client.post(
        f"{REASSIGN}?case=followed_up_long_ago",
        {"participants": [cases["settled"].pk], "to_coach": staying.pk},
    )
    assert response.status_code == 302
    assert response.url == f"{REASSIGN}?case=followed_up_long_ago"
    assert Participant.objects.get(pk=cases["settled"].pk).coach == staying


def test_all_cases_not_closed_and_a_closed_case_is_never_listed(client, manager, cases):
    client.force_login(manager)
    assert listed(client.get(REASSIGN, {"case": "all"})) == ["Adams", "Frost"]
    # Closed is not a choice here: the list falls back to the active cases.
    assert listed(client.get(REASSIGN, {"case": "closed"})) == ["Adams"]


def test_the_weeks_reminder_to_get_in_touch_reads_the_active_cases(coach, cases):
    section = participants_without_activity(coach, TODAY)
    assert [item.participant.last_name for item in section.items] == ["Adams"]


def test_a_task_due_in_a_case_followed_up_long_ago_still_reaches_the_week(coach, cases):
    # Nothing of the placement is left to do, but an application waits for a decision.
    WageSubsidyCase.objects.create(
        participant=cases["settled"], applied_on=D(2021, 2, 1), outcome="pending"
    )
    assert [item.participant.last_name for item in subsidies_waiting(coach, TODAY).items] == [
        "Frost"
    ]
