import datetime

import pytest
from django.core.exceptions import ValidationError

from participants.models import CaseNote, Participant
from participants.services import (
    ALREADY_REGISTERED,
    case_note_add,
    participant_create,
    study_create,
)
from tests.factories import CaseNoteFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.mark.parametrize(
    "form", ["198112189876", "19811218-9876", "8112189876", "811218-9876", " 811218-9876 "]
)
def test_participant_create_accepts_every_personnummer_form(unit, form):
    participant = participant_create(
        personnummer=form,
        first_name="Sara",
        last_name="Ali",
        unit=unit,
        enrolled_on=D(2021, 1, 1),
    )
    assert participant.personnummer == "198112189876"
    assert participant.birth_date == D(1981, 12, 18)
    assert participant.gender == "man"  # the ninth digit, 7, is odd


def test_participant_create_accepts_a_samordningsnummer(unit):
    participant = participant_create(
        personnummer="19811278-9873",
        first_name="Omar",
        last_name="Hassan",
        unit=unit,
        enrolled_on=D(2021, 1, 1),
    )
    assert participant.birth_date == D(1981, 12, 18)
    assert participant.gender == "man"


def test_participant_create_takes_no_typed_gender(unit):
    with pytest.raises(TypeError, match="come from the personnummer"):
        participant_create(
            personnummer="198112189876",
            first_name="Sara",
            last_name="Ali",
            gender="kvinna",
            unit=unit,
            enrolled_on=D(2021, 1, 1),
        )
    assert not Participant.objects.exists()


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ("198112189875", "Invalid check digit."),
        ("19810230-1234", "Not a valid date."),
        ("1981-12-18", "Use the form"),
    ],
)
def test_participant_create_refuses_a_bad_personnummer_and_saves_nothing(unit, form, message):
    with pytest.raises(ValidationError) as error:
        participant_create(
            personnummer=form,
            first_name="Sara",
            last_name="Ali",
            unit=unit,
            enrolled_on=D(2021, 1, 1),
        )
    assert message in str(error.value.message_dict["personnummer"])
    assert not Participant.objects.exists()


def test_participant_create_refuses_a_second_record_for_the_same_person(unit):
    participant_create(
        personnummer="198112189876",
        first_name="Sara",
        last_name="Ali",
        unit=unit,
        enrolled_on=D(2021, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        participant_create(
            personnummer="811218-9876",
            first_name="Sara",
            last_name="Ali",
            unit=unit,
            enrolled_on=D(2021, 1, 1),
        )
    assert "personnummer" in error.value.message_dict
    assert Participant.objects.count() == 1


def test_a_correction_is_a_new_note_pointing_at_the_old(coach, participant):
    original = case_note_add(participant=participant, author=coach, text="Träff 3 maj")
    correction = case_note_add(
        participant=participant, author=coach, text="Träffen var 4 maj", corrects=original
    )
    original.refresh_from_db()
    assert original.text == "Träff 3 maj"
    assert correction.corrects == original
    assert CaseNote.objects.count() == 2


def test_a_correction_cannot_point_at_another_participants_note(coach, participant):
    foreign = CaseNoteFactory(participant=ParticipantFactory())
    with pytest.raises(ValidationError):
        case_note_add(participant=participant, author=coach, text="x", corrects=foreign)
    assert CaseNote.objects.count() == 1


def test_study_over_half_time_is_refused_by_the_service(participant):
    with pytest.raises(ValidationError) as error:
        study_create(
            participant=participant, kind="sfi", start_date=D(2021, 1, 1), extent_percent=60
        )
    assert "between 1 and 50 percent" in str(error.value)
    assert not participant.studies.exists()


def test_a_registration_that_loses_a_race_is_a_clear_refusal_not_an_error(unit, monkeypatch):
    participant_create(
        personnummer="198112189876",
        first_name="Sara",
        last_name="Ali",
        unit=unit,
        enrolled_on=D(2021, 1, 1),
    )
    # The second request checked before the first one's row was committed.
    monkeypatch.setattr(Participant, "validate_unique", lambda self, exclude=None: None)

    with pytest.raises(ValidationError) as error:
        participant_create(
            personnummer="811218-9876",
            first_name="Sara",
            last_name="Ali",
            unit=unit,
            enrolled_on=D(2021, 1, 1),
        )

    assert error.value.message_dict["personnummer"] == [str(ALREADY_REGISTERED)]
    assert Participant.objects.count() == 1
