"""Closing a case ("avsluta inskrivning") and reopening it: the rules and the events kept."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from core.locking import RecordChanged
from participants.models import CaseStatusChange, CaseStatusKind, Participant
from participants.services import case_close, case_reopen
from tests.factories import ParticipantFactory, PlacementFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2021, 6, 15)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2021, 6, 15, 10, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def person(unit, coach):
    return ParticipantFactory(unit=unit, coach=coach, enrolled_on=D(2021, 1, 11))


def stored(participant: Participant) -> Participant:
    return Participant.objects.get(pk=participant.pk)


def test_closing_sets_the_date_and_reason_and_keeps_an_event(person, coach):
    case_close(participant=person, closed_on=D(2021, 6, 1), reason="flyttat", by_user=coach)

    closed = stored(person)
    assert (closed.closed_on, closed.closed_reason, closed.is_closed) == (
        D(2021, 6, 1),
        "flyttat",
        True,
    )
    [event] = CaseStatusChange.objects.filter(participant=person)
    assert (event.kind, event.date, event.reason, event.changed_by) == (
        CaseStatusKind.CLOSE,
        D(2021, 6, 1),
        "flyttat",
        coach,
    )


def test_reopening_clears_the_closing_and_keeps_both_events(person, coach):
    case_close(participant=person, closed_on=D(2021, 6, 1), reason="avbojt", by_user=coach)

    case_reopen(participant=person, on=D(2021, 6, 14), by_user=coach)

    reopened = stored(person)
    assert (reopened.closed_on, reopened.closed_reason, reopened.is_closed) == (None, "", False)
    events = list(CaseStatusChange.objects.filter(participant=person).order_by("date"))
    assert [(e.kind, e.date, e.reason) for e in events] == [
        ("close", D(2021, 6, 1), "avbojt"),
        ("reopen", D(2021, 6, 14), ""),
    ]


def test_closing_today_is_allowed_but_not_tomorrow(person, coach):
    with pytest.raises(ValidationError) as error:
        case_close(participant=person, closed_on=D(2021, 6, 16), reason="arbete", by_user=coach)
    assert error.value.message_dict["closed_on"] == ["The closing date cannot be in the future."]
    assert not stored(person).is_closed

    case_close(participant=person, closed_on=TODAY, reason="arbete", by_user=coach)
    assert stored(person).closed_on == TODAY


def test_a_case_is_not_closed_before_the_enrolment(person, coach):
    with pytest.raises(ValidationError) as error:
        case_close(participant=person, closed_on=D(2021, 1, 10), reason="arbete", by_user=coach)

    assert error.value.message_dict["closed_on"] == [
        "The case cannot be closed before the participant was enrolled (2021-01-11)."
    ]
    assert not CaseStatusChange.objects.exists()


def test_a_closed_case_is_not_closed_again(person, coach):
    case_close(participant=person, closed_on=D(2021, 6, 1), reason="arbete", by_user=coach)

    with pytest.raises(ValidationError) as error:
        case_close(participant=person, closed_on=D(2021, 6, 2), reason="studier", by_user=coach)

    assert error.value.messages == ["The case is already closed (on 2021-06-01)."]
    assert stored(person).closed_reason == "arbete"
    assert CaseStatusChange.objects.count() == 1


def test_the_reason_must_be_one_of_the_closure_reasons(person, coach):
    with pytest.raises(ValidationError) as error:
        case_close(participant=person, closed_on=D(2021, 6, 1), reason="", by_user=coach)

    assert error.value.message_dict["reason"] == ["Choose why the case is closed."]
    assert not stored(person).is_closed


def test_a_case_with_a_placement_that_has_not_ended_is_not_closed(person, coach):
    PlacementFactory(participant=person, start_date=D(2021, 2, 1), planned_end_date=D(2022, 1, 31))

    with pytest.raises(ValidationError) as error:
        case_close(participant=person, closed_on=D(2021, 6, 1), reason="arbete", by_user=coach)

    assert error.value.messages == [
        "The placement that started 2021-02-01 has not ended: end it before closing the case."
    ]
    assert not stored(person).is_closed


def test_a_case_whose_placement_has_ended_may_be_closed(person, coach):
    PlacementFactory(
        participant=person,
        start_date=D(2021, 2, 1),
        planned_end_date=D(2021, 5, 31),
        end_date=D(2021, 5, 31),
        end_reason="completed",
    )

    case_close(participant=person, closed_on=D(2021, 6, 1), reason="arbete", by_user=coach)

    assert stored(person).is_closed


def test_only_a_closed_case_is_reopened(person, coach):
    with pytest.raises(ValidationError) as error:
        case_reopen(participant=person, on=TODAY, by_user=coach)

    assert error.value.messages == ["The case is not closed."]
    assert not CaseStatusChange.objects.exists()


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (D(2021, 5, 31), "The case was closed on 2021-06-01; it cannot be reopened before that."),
        (D(2021, 6, 16), "The date cannot be in the future."),
    ],
)
def test_a_reopening_is_dated_between_the_closing_and_today(person, coach, on, message):
    case_close(participant=person, closed_on=D(2021, 6, 1), reason="arbete", by_user=coach)

    with pytest.raises(ValidationError) as error:
        case_reopen(participant=person, on=on, by_user=coach)

    assert error.value.message_dict["on"] == [message]
    assert stored(person).is_closed


def test_a_case_is_not_closed_again_before_it_was_reopened(person, coach):
    case_close(participant=person, closed_on=D(2021, 3, 1), reason="flyttat", by_user=coach)
    case_reopen(participant=person, on=D(2021, 5, 3), by_user=coach)

    with pytest.raises(ValidationError) as error:
        case_close(participant=person, closed_on=D(2021, 4, 1), reason="arbete", by_user=coach)

    assert error.value.message_dict["closed_on"] == [
        "The case was reopened on 2021-05-03; it cannot be closed before that."
    ]


def test_closing_from_an_older_version_is_refused(person, coach):
    loaded_at = stored(person).updated_at
    # Someone else closes and reopens a little later.
    with time_machine.travel(datetime.datetime(2021, 6, 15, 10, 5, tzinfo=datetime.UTC)):
        case_close(participant=person, closed_on=D(2021, 6, 1), reason="arbete", by_user=coach)
        case_reopen(participant=person, on=D(2021, 6, 2), by_user=coach)

    with pytest.raises(RecordChanged):
        case_close(
            participant=person,
            closed_on=D(2021, 6, 3),
            reason="studier",
            by_user=coach,
            loaded_at=loaded_at,
        )

    assert not stored(person).is_closed
