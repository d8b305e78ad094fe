"""A personnummer typed wrong is corrected by an administrator, logged, never edited in place."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AccessLogEntry, Action
from participants.models import Participant, ParticipantChange
from participants.services import personnummer_correct
from tests.factories import AdminFactory, ManagerFactory, ParticipantFactory, make_personnummer

pytestmark = pytest.mark.django_db

D = datetime.date
WRONG = make_personnummer(D(1985, 7, 9), 124)  # even ninth digit: kvinna
RIGHT = make_personnummer(D(1985, 7, 19), 135)  # odd: man


@pytest.fixture
def admin():
    return AdminFactory(username="registrator")


@pytest.fixture
def person(unit, coach):
    return ParticipantFactory(unit=unit, coach=coach, personnummer=WRONG, birth_date=D(1985, 7, 9))


def test_an_admin_corrects_the_number_with_its_birth_date_and_legal_gender(person, admin):
    corrected = personnummer_correct(
        participant=person,
        new_number=f"{RIGHT[2:8]}-{RIGHT[8:]}",
        reason="Fel dag vid registreringen.",
        by_user=admin,
    )

    stored = Participant.objects.get(pk=person.pk)
    assert stored.personnummer == corrected.personnummer == RIGHT
    assert stored.birth_date == D(1985, 7, 19)
    assert stored.gender == "man"


def test_the_history_keeps_the_numbers_masked_with_the_reason(person, admin):
    personnummer_correct(
        participant=person, new_number=RIGHT, reason="Fel dag vid registreringen.", by_user=admin
    )

    rows = {row.field: row for row in ParticipantChange.objects.filter(participant=person)}
    assert set(rows) == {"personnummer", "birth_date", "gender"}
    number = rows["personnummer"]
    assert (number.old_value, number.new_value) == ("19850709-****", "19850719-****")
    assert number.reason == "Fel dag vid registreringen."
    assert number.changed_by == admin
    assert (rows["birth_date"].old_value, rows["birth_date"].new_value) == (
        "1985-07-09",
        "1985-07-19",
    )
    assert (rows["gender"].old_shown, rows["gender"].new_shown) == ("Woman", "Man")
    for row in rows.values():
        assert WRONG[8:] not in row.old_value + row.new_value + row.reason
        assert RIGHT[8:] not in row.old_value + row.new_value + row.reason


def test_the_correction_is_logged_without_the_numbers(person, admin):
    personnummer_correct(
        participant=person, new_number=RIGHT, reason="Siffror omkastade.", by_user=admin
    )

    [row] = AccessLogEntry.objects.filter(object_type="personnummer")
    assert (row.action, row.participant_id, row.user) == (Action.CHANGE, person.pk, admin)
    logged = " ".join(str(value) for value in AccessLogEntry.objects.values_list())
    for number in (WRONG, RIGHT):
        assert number not in logged
        assert number[2:] not in logged
    assert "Siffror omkastade" not in logged


@pytest.mark.parametrize("role", ["coach", "manager"])
def test_only_an_admin_may_correct(person, coach, unit, role):
    user = coach if role == "coach" else ManagerFactory(unit=unit)

    with pytest.raises(PermissionDenied):
        personnummer_correct(participant=person, new_number=RIGHT, reason="x", by_user=user)

    assert Participant.objects.get(pk=person.pk).personnummer == WRONG


def test_a_number_another_participant_has_is_refused_without_naming_them(person, admin):
    other = ParticipantFactory(personnummer=RIGHT, first_name="Hemlig", last_name="Annansson")

    with pytest.raises(ValidationError) as error:
        personnummer_correct(participant=person, new_number=RIGHT, reason="x", by_user=admin)

    [message] = error.value.message_dict["personnummer"]
    assert message.startswith("Another participant is already registered with this number")
    assert other.first_name not in message and other.last_name not in message
    assert Participant.objects.get(pk=person.pk).personnummer == WRONG
    assert not ParticipantChange.objects.exists()
    assert not AccessLogEntry.objects.filter(object_type="personnummer").exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (RIGHT[:-1] + str((int(RIGHT[-1]) + 1) % 10), "Invalid check digit."),
        ("19850230-1234", "Not a valid date."),
        ("12345", "Use the form YYYYMMDD-NNNN"),
        (WRONG, "This is the number already recorded; nothing to correct."),
    ],
    ids=["check-digit", "date", "format", "same-number"],
)
def test_a_bad_number_is_refused_with_a_clear_message(person, admin, typed, message):
    with pytest.raises(ValidationError) as error:
        personnummer_correct(participant=person, new_number=typed, reason="x", by_user=admin)

    assert any(message in text for text in error.value.message_dict["personnummer"])
    assert Participant.objects.get(pk=person.pk).personnummer == WRONG


def test_a_correction_needs_a_reason(person, admin):
    with pytest.raises(ValidationError) as error:
        personnummer_correct(participant=person, new_number=RIGHT, reason="   ", by_user=admin)

    assert error.value.message_dict["reason"] == ["Say why the number is corrected."]
    assert Participant.objects.get(pk=person.pk).personnummer == WRONG
