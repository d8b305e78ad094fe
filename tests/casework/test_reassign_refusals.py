"""A participant outside the user's reach ticked for reassignment is a logged refusal.

The page says what it said before (some cannot be moved, neither which nor
why); the access log names each one asked for, and the review flags it.
"""

import datetime

import pytest

from audit.models import AccessLogEntry, Action
from audit.selectors import log_for_review
from participants.models import Participant
from tests.factories import CoachFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

URL = "/participants/reassign/"
CANNOT_BE_MOVED = "Some of the chosen participants cannot be moved"


@pytest.fixture
def staying(unit):
    return CoachFactory(unit=unit)


def refused():
    return AccessLogEntry.objects.filter(action=Action.REFUSED).order_by("id")


def test_another_units_participant_is_refused_and_logged(
    client, manager, participant, other_unit, staying
):
    theirs = ParticipantFactory(unit=other_unit)
    client.force_login(manager)

    response = client.post(
        URL,
        {"participants": [participant.pk, theirs.pk], "to_coach": staying.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert CANNOT_BE_MOVED in response.content.decode()
    assert Participant.objects.get(pk=participant.pk).coach_id != staying.pk
    [row] = refused()
    assert (row.user, row.participant_id, row.object_type, row.object_id, row.path) == (
        manager,
        theirs.pk,
        "participant",
        theirs.pk,
        URL,
    )
    assert row.detail == "participant out of reach (caseload reassignment)"
    assert row.pk in {entry.pk for entry in log_for_review() if entry.flagged}


def test_an_id_that_is_no_one_is_logged_as_asked_for(client, manager, participant, staying):
    client.force_login(manager)

    client.post(URL, {"participants": [participant.pk, 999_999], "to_coach": staying.pk})

    assert list(refused().values_list("participant_id", flat=True)) == [999_999]


def test_a_closed_case_of_ones_own_unit_is_refused_but_is_no_access_refusal(
    client, manager, participant, staying
):
    ParticipantFactory(unit=participant.unit)  # an active case: the list is shown
    Participant.objects.filter(pk=participant.pk).update(
        closed_on=datetime.date(2021, 3, 1), closed_reason="arbete"
    )
    client.force_login(manager)

    response = client.post(
        URL, {"participants": [participant.pk], "to_coach": staying.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert CANNOT_BE_MOVED in response.content.decode()
    assert not refused().exists()


def test_a_move_within_reach_writes_no_refusal(client, manager, participant, staying):
    client.force_login(manager)

    response = client.post(URL, {"participants": [participant.pk], "to_coach": staying.pk})

    assert response.status_code == 302
    assert not refused().exists()
