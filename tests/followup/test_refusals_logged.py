"""Refused bulk closings and list filters are "refused" rows in the access log.

The user's messages stay as they were: the log says what was asked for, the
page does not.
"""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from audit.models import AccessLogEntry, Action
from audit.selectors import log_for_review
from followup.models import FollowUp
from followup.services import followups_mark_not_reached
from tests.factories import FollowUpFactory, ParticipantFactory, PlacementFactory

pytestmark = pytest.mark.django_db

D = datetime.date
LIST_URL = "/followups/"
BULK_URL = "/followups/not-reached/"
REASON = "No answer to three calls and a letter"
OUT_OF_REACH = "Some of the chosen follow-ups are not yours to change."


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2021, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


def old_followup(participant) -> FollowUp:
    """Overdue and past its window: one the list offers for closing out."""
    placement = PlacementFactory(
        participant=participant, start_date=D(2019, 1, 31), end_date=D(2020, 1, 31)
    )
    return FollowUpFactory(placement=placement)


@pytest.fixture
def mine(participant) -> FollowUp:
    return old_followup(participant)


@pytest.fixture
def stranger(other_unit):
    return ParticipantFactory(unit=other_unit, last_name="Främling")


@pytest.fixture
def theirs(stranger) -> FollowUp:
    return old_followup(stranger)


def refused():
    return AccessLogEntry.objects.filter(action=Action.REFUSED).order_by("id")


def flagged_ids() -> set[int]:
    return {row.pk for row in log_for_review() if row.flagged}


def test_choosing_another_units_follow_up_is_a_refusal_naming_its_participant(
    client, coach, mine, theirs, stranger
):
    client.force_login(coach)

    response = client.post(
        BULK_URL, {"followups": [mine.pk, theirs.pk], "reason": REASON}, HTTP_ACCEPT_LANGUAGE="en"
    )

    # The confirm page as before: the stranger's follow-up is neither listed nor named.
    assert response.status_code == 200
    html = response.content.decode()
    assert "Främling" not in html
    assert "Some of the chosen follow-ups are not yours to change." in html
    [row] = refused()
    assert (row.user, row.participant_id, row.object_type, row.object_id) == (
        coach,
        stranger.pk,
        "followup",
        theirs.pk,
    )
    assert row.detail == "follow-up out of reach (not reached, several at once)"
    assert row.path == BULK_URL
    assert row.pk in flagged_ids()


def test_confirming_with_another_units_follow_up_is_a_refusal_that_outlives_the_rollback(
    client, coach, mine, theirs, stranger
):
    client.force_login(coach)

    response = client.post(
        BULK_URL,
        {"followups": [mine.pk, theirs.pk], "reason": REASON, "confirmed": "1"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert OUT_OF_REACH in response.content.decode()
    assert not FollowUp.objects.filter(performed_on__isnull=False).exists()
    assert list(refused().values_list("participant_id", "object_type", "object_id")) == [
        (stranger.pk, "followup", theirs.pk)
    ]
    # Nothing was closed, so no change row either.
    assert not AccessLogEntry.objects.filter(action=Action.CHANGE, object_type="followup").exists()


def test_a_follow_up_id_that_is_no_one_is_logged_as_asked_for(client, coach, mine):
    client.force_login(coach)

    client.post(BULK_URL, {"followups": [mine.pk, 999_999], "reason": REASON, "confirmed": "1"})

    assert list(refused().values_list("participant_id", "object_type", "object_id")) == [
        (None, "followup", 999_999)
    ]


def test_when_every_chosen_follow_up_is_foreign_no_confirm_page_with_zero_is_shown(
    client, coach, theirs, stranger
):
    client.force_login(coach)

    response = client.post(
        BULK_URL,
        {"followups": [theirs.pk], "reason": REASON, "return_query": "scope=unit"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    assert response.url == f"{LIST_URL}?scope=unit"
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert OUT_OF_REACH in page
    assert "These 0" not in page
    assert "Främling" not in page
    assert list(refused().values_list("participant_id", "object_id")) == [(stranger.pk, theirs.pk)]


def test_the_service_logs_the_refusal_outside_its_rolled_back_transaction(
    coach, mine, theirs, stranger
):
    with pytest.raises(ValidationError) as error:
        followups_mark_not_reached(
            followup_ids=[mine.pk, theirs.pk], reason=REASON, performed_by=coach
        )

    assert error.value.messages == [OUT_OF_REACH]
    assert list(refused().values_list("user", "participant_id", "object_id")) == [
        (coach.pk, stranger.pk, theirs.pk)
    ]


def test_a_follow_up_within_reach_refused_for_another_rule_is_no_refusal_row(client, coach):
    # Still within its window: refused, but not an access refusal.
    recent = FollowUpFactory(
        placement=PlacementFactory(
            participant=ParticipantFactory(unit=coach.unit, coach=coach),
            start_date=D(2020, 1, 31),
            end_date=D(2020, 12, 31),
        )
    )
    client.force_login(coach)

    client.post(BULK_URL, {"followups": [recent.pk], "reason": REASON, "confirmed": "1"})

    assert not refused().exists()


# --- The list's filters ---------------------------------------------------------------------


def test_another_units_coach_as_a_filter_is_a_logged_refusal(client, coach, other_coach):
    client.force_login(coach)

    response = client.get(LIST_URL, {"coach": other_coach.pk}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Choose a coach of your unit." in response.content.decode()
    [row] = refused()
    assert (row.user, row.object_type, row.object_id, row.participant_id, row.detail) == (
        coach,
        "user",
        other_coach.pk,
        None,
        "HTTP 400",
    )
    assert row.path == LIST_URL


def test_another_unit_as_a_filter_is_a_logged_refusal(client, coach, other_unit):
    client.force_login(coach)

    response = client.get(LIST_URL, {"unit": other_unit.pk}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Choose one of the units you work with." in response.content.decode()
    assert list(refused().values_list("object_type", "object_id", "detail")) == [
        ("unit", other_unit.pk, "HTTP 400")
    ]


def test_a_filter_value_that_is_no_id_is_logged_without_one(client, coach):
    client.force_login(coach)

    assert client.get(LIST_URL, {"coach": "abc"}).status_code == 400

    assert list(refused().values_list("object_type", "object_id")) == [("user", None)]


def test_a_filter_within_reach_is_no_refusal(client, coach, unit):
    client.force_login(coach)

    assert client.get(LIST_URL, {"coach": coach.pk}).status_code == 200

    assert not refused().exists()
