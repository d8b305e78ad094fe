"""A participant's own data: corrected through one service, every change kept in the history."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.locking import RecordChanged
from participants.models import CaseStatusChange, District, Participant, ParticipantChange
from participants.selectors import participant_history
from participants.services import (
    case_close,
    participant_create,
    participant_set_sensitive,
    participant_update,
)
from privacy.services import retention_run
from tests.factories import CoachFactory, ConsentFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def grant_sensitive(user):
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="participants", codename="view_sensitive")
    )
    return type(user).objects.get(pk=user.pk)


def messages_of(error: ValidationError, field: str) -> list[str]:
    return error.value.message_dict[field]


# --- Saving and its history ------------------------------------------------------------


@time_machine.travel(datetime.datetime(2021, 5, 3, 10, 30, tzinfo=datetime.UTC), tick=False)
def test_update_saves_the_changed_fields_with_one_history_row_each(participant, coach):
    participant = Participant.objects.get(pk=participant.pk)
    participant.phone = "08-123 456 78"
    participant.save()

    saved = participant_update(
        participant=participant,
        changed_by=coach,
        phone="070-111 22 33",
        city="Stockholm",
        interpreter_needed=True,
        first_name=participant.first_name,  # unchanged: no row
    )

    assert saved.phone == "070-111 22 33"
    assert Participant.objects.get(pk=participant.pk).city == "Stockholm"
    rows = {row.field: row for row in ParticipantChange.objects.filter(participant=participant)}
    assert set(rows) == {"phone", "city", "interpreter_needed"}
    assert (rows["phone"].old_value, rows["phone"].new_value) == ("08-123 456 78", "070-111 22 33")
    assert (rows["city"].old_value, rows["city"].new_value) == ("", "Stockholm")
    assert (rows["interpreter_needed"].old_value, rows["interpreter_needed"].new_value) == (
        "false",
        "true",
    )
    assert rows["phone"].changed_by == coach
    assert rows["phone"].changed_at == timezone.now()


def test_history_shows_labels_and_values_in_words(participant, coach):
    participant_update(
        participant=participant,
        changed_by=coach,
        education_level="gymnasial",
        foreign_born=True,
    )

    rows = {row.field: row for row in participant.changes.all()}
    assert rows["education_level"].field_label == "education level"
    assert rows["education_level"].old_shown == "Unknown"
    assert rows["education_level"].new_shown == "Upper secondary school"
    assert rows["foreign_born"].old_shown == "Unknown"
    assert rows["foreign_born"].new_shown == "Yes"


def test_a_district_is_kept_by_name(participant, coach):
    other = District.objects.exclude(pk=participant.district_id).first()

    participant_update(participant=participant, changed_by=coach, district=other)

    row = participant.changes.get()
    assert (row.old_value, row.new_value) == (participant.district.name, other.name)


def test_nothing_changed_saves_nothing_and_keeps_the_version(participant, coach):
    before = Participant.objects.get(pk=participant.pk).updated_at

    saved = participant_update(
        participant=participant,
        changed_by=coach,
        loaded_at=before,
        first_name=participant.first_name,
        phone="",
    )

    assert saved.updated_at == before
    assert not ParticipantChange.objects.exists()


def test_contact_details_are_stored_in_one_form(participant, coach):
    saved = participant_update(
        participant=participant,
        changed_by=coach,
        postal_code="16370",
        phone="  070 - 123  45 67 ",
        email=" namn@example.se ",
        street_address="  Rinkebystråket   4 ",
    )

    assert saved.postal_code == "163 70"
    assert saved.phone == "070 - 123 45 67"
    assert saved.email == "namn@example.se"
    assert saved.street_address == "Rinkebystråket 4"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "070-12", "Enter a phone number of 7 to 15 digits"),
        ("phone", "ring 070 123 45 67", "Enter a phone number of 7 to 15 digits"),
        ("phone", "46 70 123 45 67", "A phone number starts with 0"),
        ("email", "namn.example.se", "Enter an e-mail address such as namn@example.se."),
        ("postal_code", "1637", "Enter a Swedish postal code of five digits"),
        ("postal_code", "01234", "Enter a Swedish postal code of five digits"),
        ("months_unemployed_before", 601, "Enter a number of months from 0 to 600."),
    ],
)
def test_bad_contact_details_are_refused_with_a_clear_message_and_nothing_saved(
    participant, coach, field, value, message
):
    with pytest.raises(ValidationError) as error:
        participant_update(participant=participant, changed_by=coach, **{field: value})

    assert any(message in text for text in messages_of(error, field))
    assert getattr(Participant.objects.get(pk=participant.pk), field) in ("", None)
    assert not ParticipantChange.objects.exists()


def test_a_phone_number_with_country_code_is_accepted(participant, coach):
    saved = participant_update(participant=participant, changed_by=coach, phone="+46 70 123 45 67")

    assert saved.phone == "+46 70 123 45 67"


def test_an_empty_first_name_is_refused(participant, coach):
    with pytest.raises(ValidationError) as error:
        participant_update(participant=participant, changed_by=coach, first_name="  ")

    assert "first_name" in error.value.message_dict
    assert Participant.objects.get(pk=participant.pk).first_name == participant.first_name


def test_a_save_from_an_older_version_is_refused(participant, coach):
    loaded_at = Participant.objects.get(pk=participant.pk).updated_at
    participant_update(participant=participant, changed_by=coach, phone="070-111 22 33")

    with pytest.raises(RecordChanged):
        participant_update(
            participant=participant, changed_by=coach, loaded_at=loaded_at, phone="070-999 88 77"
        )

    assert Participant.objects.get(pk=participant.pk).phone == "070-111 22 33"
    assert participant.changes.count() == 1


def test_months_of_social_assistance_need_the_district_consent(participant, coach):
    with pytest.raises(ValidationError) as error:
        participant_update(
            participant=participant, changed_by=coach, months_social_assistance_before=12
        )
    assert "consented" in messages_of(error, "months_social_assistance_before")[0]

    ConsentFactory(participant=participant, flow="district", given=True)
    saved = participant_update(
        participant=participant, changed_by=coach, months_social_assistance_before=12
    )
    assert saved.months_social_assistance_before == 12


@pytest.mark.parametrize("field", ["personnummer", "disability", "closed_on", "gender"])
def test_fields_with_their_own_service_are_not_taken(participant, coach, field):
    with pytest.raises(TypeError):
        participant_update(participant=participant, changed_by=coach, **{field: None})


def test_registration_stores_contact_details_in_the_same_form(unit):
    participant = participant_create(
        personnummer="198112189876",
        first_name="Sara",
        last_name="Ali",
        unit=unit,
        enrolled_on=D(2021, 1, 1),
        postal_code="16370",
        phone="070 123 45 67",
    )

    assert participant.postal_code == "163 70"
    assert not participant.changes.exists()


# --- Sensitive fields in the history ---------------------------------------------------------


def test_sensitive_changes_are_kept_but_shown_only_with_the_permission(participant, unit):
    sensitive_coach = grant_sensitive(CoachFactory(unit=unit))
    plain_coach = CoachFactory(unit=unit)
    participant_set_sensitive(participant=participant, changed_by=sensitive_coach, disability=True)
    participant_update(participant=participant, changed_by=plain_coach, city="Solna")

    assert {row.field for row in participant_history(sensitive_coach, participant)} == {
        "disability",
        "city",
    }
    assert [row.field for row in participant_history(plain_coach, participant)] == ["city"]
    row = participant.changes.get(field="disability")
    assert (row.old_value, row.new_value, row.is_sensitive) == ("", "true", True)


def test_setting_a_sensitive_field_to_its_value_writes_no_history(participant, unit):
    sensitive_coach = grant_sensitive(CoachFactory(unit=unit))

    participant_set_sensitive(
        participant=participant, changed_by=sensitive_coach, gender_self_described=""
    )

    assert not participant.changes.exists()


# --- Retention ---------------------------------------------------------------------------


def test_retention_deletes_the_history_and_the_closings_with_the_participant(unit, coach):
    with time_machine.travel(datetime.datetime(2011, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        old = ParticipantFactory(unit=unit, coach=coach, enrolled_on=D(2010, 1, 4))
        participant_update(participant=old, changed_by=coach, city="Kista")
        case_close(participant=old, closed_on=D(2011, 2, 28), reason="flyttat", by_user=coach)
    kept = ParticipantFactory(unit=unit, coach=coach)
    participant_update(participant=kept, changed_by=coach, city="Tensta")

    retention_run(today=D(2021, 6, 1))

    assert not Participant.objects.filter(pk=old.pk).exists()
    assert not ParticipantChange.objects.filter(participant_id=old.pk).exists()
    assert not CaseStatusChange.objects.filter(participant_id=old.pk).exists()
    assert ParticipantChange.objects.filter(participant=kept).count() == 1
