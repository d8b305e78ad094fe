import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.week import (
    SECTION_LIMIT,
    coach_week,
    followups_due,
    goal_reviews_due,
    participants_without_activity,
    placements_ending,
    studies_ending,
    subsidies_waiting,
)
from participants.models import LearningGoal, Study, SupportActivity
from placements.models import WageSubsidyCase
from tests.factories import (
    CoachFactory,
    FollowUpFactory,
    ParticipantFactory,
    PlacementFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2021, 3, 1)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2021, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def mine(unit, coach):
    return ParticipantFactory(unit=unit, coach=coach, last_name="Mine")


@pytest.fixture
def strangers(unit, other_unit, other_coach):
    """A colleague's participant, another unit's and a closed case of the coach's own."""
    return {
        "colleague": ParticipantFactory(unit=unit, coach=CoachFactory(unit=unit), last_name="Kol"),
        "other_unit": ParticipantFactory(unit=other_unit, coach=other_coach, last_name="Annan"),
    }


@pytest.fixture
def closed(unit, coach):
    return ParticipantFactory(
        unit=unit, coach=coach, last_name="Closed", closed_on=D(2021, 2, 1), closed_reason="arbete"
    )


def followup(participant, end: datetime.date, **kwargs):
    placement = PlacementFactory(
        participant=participant, start_date=end.replace(year=end.year - 1), end_date=end
    )
    return FollowUpFactory(placement=placement, **kwargs)


def goal(participant, next_review_on, status="in_progress"):
    return LearningGoal.objects.create(
        participant=participant,
        description="Körkort",
        target_industry="Transport",
        next_review_on=next_review_on,
        status=status,
    )


def study(participant, end_date, completed=None):
    return Study.objects.create(
        participant=participant,
        kind="sfi",
        course="Sfi D",
        start_date=D(2020, 9, 1),
        end_date=end_date,
        extent_percent=10,
        completed=completed,
    )


def subsidy(participant, applied_on, outcome="pending", decided_on=None):
    return WageSubsidyCase.objects.create(
        participant=participant, applied_on=applied_on, outcome=outcome, decided_on=decided_on
    )


def activity(participant, date):
    return SupportActivity.objects.create(
        participant=participant, phase="during", kind="coaching_talk", date=date
    )


def dues(section) -> list[datetime.date]:
    return [item.due for item in section.items]


def names(section) -> list[str]:
    return [item.participant.last_name for item in section.items]


# --- Each section ------------------------------------------------------------------------


def test_follow_ups_overdue_and_due_this_week_oldest_first(coach, mine):
    followup(mine, D(2020, 12, 20))  # due 2021-03-20: later than the week
    soon = followup(mine, D(2020, 12, 5))  # due 2021-03-05
    overdue = followup(mine, D(2020, 10, 31))  # due 2021-01-31
    followup(mine, D(2020, 9, 30), performed_on=D(2020, 12, 30), outcome="studier")  # done

    section = followups_due(coach, TODAY)

    assert dues(section) == [D(2021, 1, 31), D(2021, 3, 5)]
    assert section.total == 2
    assert section.items[0].actions[0].url == reverse(
        "participants:followup_register",
        kwargs={"pk": mine.pk, "placement_pk": overdue.placement_id},
    )
    assert section.items[1].actions[0].url.endswith(f"/followups/{soon.placement_id}/")
    assert section.more_url == "/followups/"


def test_placements_ending_within_30_days_or_past_their_planned_end(coach, mine, unit):
    def placement(participant, start, planned_end, end=None):
        return PlacementFactory(
            participant=participant, start_date=start, planned_end_date=planned_end, end_date=end
        )

    later = ParticipantFactory(unit=unit, coach=coach, last_name="Later")
    ending = placement(mine, D(2020, 4, 1), D(2021, 3, 20))
    overrun = placement(later, D(2020, 2, 1), D(2021, 2, 20))  # not recorded as ended
    placement(ParticipantFactory(unit=unit, coach=coach), D(2020, 6, 1), D(2021, 5, 1))
    placement(
        ParticipantFactory(unit=unit, coach=coach), D(2020, 2, 1), D(2021, 2, 1), D(2021, 2, 1)
    )
    placement(ParticipantFactory(unit=unit, coach=coach), D(2021, 3, 10), D(2021, 3, 20))  # planned

    section = placements_ending(coach, TODAY)

    assert dues(section) == [D(2021, 2, 20), D(2021, 3, 20)]
    extend, end = section.items[1].actions
    assert extend.url == reverse(
        "participants:placement_extend", kwargs={"pk": mine.pk, "placement_pk": ending.pk}
    )
    assert end.url == reverse(
        "participants:placement_end", kwargs={"pk": mine.pk, "placement_pk": ending.pk}
    )
    assert section.items[0].participant == overrun.participant


def test_goal_reviews_due_this_week_for_goals_still_worked_on(coach, mine):
    due_soon = goal(mine, D(2021, 3, 5), status="planned")
    overdue = goal(mine, D(2021, 2, 20))
    goal(mine, D(2021, 3, 20))  # next week and later
    goal(mine, D(2021, 2, 1), status="reached")
    goal(mine, None)

    section = goal_reviews_due(coach, TODAY)

    assert dues(section) == [D(2021, 2, 20), D(2021, 3, 5)]
    assert [item.actions[0].url for item in section.items] == [
        reverse("participants:goal_update", kwargs={"pk": mine.pk, "goal_pk": g.pk})
        for g in (overdue, due_soon)
    ]


def test_studies_ending_or_ended_and_not_yet_marked(coach, mine):
    ended = study(mine, D(2021, 2, 1))
    ending = study(mine, D(2021, 3, 25))
    study(mine, D(2021, 2, 1), completed=True)
    study(mine, D(2021, 2, 10), completed=False)
    study(mine, D(2021, 5, 1))
    study(mine, None)

    section = studies_ending(coach, TODAY)

    assert dues(section) == [D(2021, 2, 1), D(2021, 3, 25)]
    assert [item.actions[0].url for item in section.items] == [
        reverse("participants:study_update", kwargs={"pk": mine.pk, "study_pk": s.pk})
        for s in (ended, ending)
    ]


def test_wage_subsidies_waiting_with_their_age_in_days_oldest_first(coach, mine):
    newer = subsidy(mine, D(2021, 2, 15))
    older = subsidy(mine, D(2021, 1, 1))
    subsidy(mine, D(2020, 12, 1), outcome="granted", decided_on=D(2021, 1, 20))
    subsidy(mine, D(2020, 11, 1), outcome="withdrawn")

    section = subsidies_waiting(coach, TODAY)

    assert [item.waiting_days for item in section.items] == [59, 14]
    assert section.items[0].actions[0].url == reverse(
        "participants:subsidy_decide", kwargs={"pk": mine.pk, "subsidy_pk": older.pk}
    )
    assert section.items[1].actions[0].url.endswith(f"/subsidies/{newer.pk}/decision/")


def test_participants_without_support_activity_for_30_days(coach, unit):
    quiet = ParticipantFactory(unit=unit, coach=coach, last_name="Quiet")
    activity(quiet, D(2021, 1, 10))
    never = ParticipantFactory(unit=unit, coach=coach, last_name="Never")  # enrolled 2020-01-15
    busy = ParticipantFactory(unit=unit, coach=coach, last_name="Busy")
    activity(busy, D(2021, 1, 10))
    activity(busy, D(2021, 2, 20))
    ParticipantFactory(unit=unit, coach=coach, last_name="New", enrolled_on=D(2021, 2, 15))
    # Followed up long ago: nothing left to do, so no reminder to get in touch.
    settled = ParticipantFactory(unit=unit, coach=coach, last_name="Settled")
    followup(settled, D(2019, 12, 31), performed_on=D(2020, 3, 31), outcome="arbetssokande")

    section = participants_without_activity(coach, TODAY)

    assert names(section) == ["Never", "Quiet"]
    assert dues(section) == [D(2020, 2, 14), D(2021, 2, 9)]
    assert section.items[0].actions[0].url == reverse(
        "participants:activity_add", kwargs={"pk": never.pk}
    )


def test_a_future_activity_does_not_count_as_support_given(coach, unit):
    planned = ParticipantFactory(unit=unit, coach=coach, last_name="Planned")
    activity(planned, D(2021, 3, 15))
    assert names(participants_without_activity(coach, TODAY)) == ["Planned"]


# --- Reach: only the coach's own active cases ------------------------------------------


def _one_of_each(participant) -> None:
    followup(participant, D(2020, 11, 30))
    PlacementFactory(participant=participant, start_date=D(2020, 4, 1), planned_end_date=TODAY)
    goal(participant, D(2021, 3, 2))
    study(participant, D(2021, 3, 2))
    subsidy(participant, D(2021, 2, 1))


def test_other_coaches_participants_and_closed_cases_never_appear(coach, strangers, closed):
    for person in [*strangers.values(), closed]:
        _one_of_each(person)

    for section in coach_week(coach, TODAY):
        assert section.items == [], section.key
        assert section.total == 0, section.key


def test_every_section_shows_the_coachs_own_active_case(coach, mine):
    _one_of_each(mine)
    assert {section.key: names(section) for section in coach_week(coach, TODAY)} == {
        "followups": ["Mine"],
        "placements": ["Mine"],
        "goals": ["Mine"],
        "studies": ["Mine"],
        "subsidies": ["Mine"],
        "quiet": ["Mine"],
    }


def test_a_section_lists_at_most_the_limit_and_counts_all(coach, mine):
    LearningGoal.objects.bulk_create(
        LearningGoal(
            participant=mine,
            description=f"Mål {index}",
            target_industry="Vård",
            next_review_on=D(2021, 1, 1) + datetime.timedelta(days=index),
            status="in_progress",
        )
        for index in range(SECTION_LIMIT + 2)
    )
    section = goal_reviews_due(coach, TODAY)
    assert section.total == SECTION_LIMIT + 2
    assert len(section.items) == SECTION_LIMIT
    assert section.more == 2
    assert section.items[0].due == D(2021, 1, 1)


# --- The page -------------------------------------------------------------------------------


def test_coach_sees_their_week_at_home_with_counts_and_links(client, coach, mine, strangers):
    _one_of_each(mine)
    _one_of_each(strangers["colleague"])
    client.force_login(coach)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Mine, Anna" in html
    assert strangers["colleague"].last_name not in html
    assert strangers["other_unit"].last_name not in html
    counts = re.findall(r'week-count">(\d+)<', html)
    assert counts == ["1", "1", "1", "1", "1", "1"]
    assert f"/participants/{mine.pk}/studies/" in html
    assert mine.personnummer not in html


def test_an_empty_section_says_so(client, coach):
    client.force_login(coach)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No follow-ups are due this week." in html
    assert "No wage-subsidy application is waiting for a decision." in html
    assert "<table" not in html


def test_more_than_the_limit_links_to_the_full_list(client, coach, mine):
    for day in range(SECTION_LIMIT + 3):
        followup(mine, D(2020, 6, 1) + datetime.timedelta(days=day))
    client.force_login(coach)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'<a href="/followups/">\s*and 3 more\s*</a>', html)


def test_manager_and_admin_do_not_get_a_week(client, manager):
    client.force_login(manager)
    assert client.get("/").url == reverse("reports:dashboard")


def _week_queries(client, coach, unit, people: int) -> list[str]:
    for _ in range(people):
        person = ParticipantFactory(unit=unit, coach=coach)
        _one_of_each(person)
        activity(person, D(2020, 12, 1))
    client.force_login(coach)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    assert len(response.context["sections"][0].items) == people
    return [query["sql"] for query in queries.captured_queries]


def test_query_count_is_the_same_for_3_and_30_participants(client, unit):
    few = _week_queries(client, CoachFactory(unit=unit), unit, 3)
    many = _week_queries(client, CoachFactory(unit=unit), unit, 30)
    assert len(few) == len(many)
    # One query per section: its rows and, beside them, its total.
    assert len([sql for sql in many if "OVER ()" in sql]) == 6
