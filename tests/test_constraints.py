"""Every rule the database itself enforces: it holds even when code forgets to validate."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from followup.models import FollowUp, RegisterOutcome
from participants.models import CaseNote, Participant, Study
from placements.models import Internship, JobType, Placement, PlacementTarget, WageSubsidyCase
from tests.factories import (
    CaseNoteFactory,
    FollowUpFactory,
    ParticipantFactory,
    PlacementFactory,
    WorkplaceFactory,
    job_type,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def assert_refused(instance, message_part: str) -> None:
    """full_clean() names the problem, and a save that skips validation still fails."""
    model = type(instance)
    before = model.objects.count()
    with pytest.raises(ValidationError) as error:
        instance.full_clean()
    assert message_part in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        instance.save()
    assert model.objects.count() == before


def test_placement_end_before_start_is_refused():
    placement = PlacementFactory.build(
        participant=ParticipantFactory(),
        workplace=WorkplaceFactory(),
        start_date=D(2020, 5, 1),
        end_date=D(2020, 4, 30),
        end_reason="completed",
    )
    assert_refused(placement, "The end date cannot be before the start date.")


def test_placement_planned_end_before_start_is_refused():
    placement = PlacementFactory.build(
        participant=ParticipantFactory(),
        workplace=WorkplaceFactory(),
        start_date=D(2020, 5, 1),
        planned_end_date=D(2020, 1, 1),
    )
    assert_refused(placement, "The planned end date cannot be before the start date.")


def test_placement_end_reason_without_end_date_is_refused():
    placement = PlacementFactory.build(
        participant=ParticipantFactory(), workplace=WorkplaceFactory(), end_reason="work"
    )
    assert_refused(placement, "An end reason needs an end date.")


def test_two_placements_starting_the_same_day_for_one_participant_are_refused():
    first = PlacementFactory()
    second = PlacementFactory.build(
        participant=first.participant, workplace=first.workplace, start_date=first.start_date
    )
    assert_refused(second, "already has a placement starting that day")


def test_only_one_follow_up_per_placement():
    followup = FollowUpFactory()
    second = FollowUp(placement=followup.placement, due_date=followup.due_date)
    with pytest.raises(ValidationError):
        second.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    assert FollowUp.objects.count() == 1


def test_follow_up_outcome_without_date_is_refused():
    followup = FollowUpFactory()
    followup.outcome = "studier"
    assert_refused(followup, "An outcome needs the date of the follow-up")


def test_follow_up_date_without_outcome_is_refused():
    followup = FollowUpFactory()
    followup.performed_on = D(2021, 4, 30)
    assert_refused(followup, "An outcome needs the date of the follow-up")


def test_follow_up_unknown_outcome_code_is_refused():
    followup = FollowUpFactory()
    followup.outcome, followup.performed_on = "lottovinst", D(2021, 4, 30)
    with pytest.raises(ValidationError) as error:
        followup.full_clean()
    assert "outcome" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        followup.save()


def test_duplicate_personnummer_is_refused():
    existing = ParticipantFactory()
    twin = ParticipantFactory.build(
        personnummer=existing.personnummer, birth_date=existing.birth_date, unit=existing.unit
    )
    assert_refused(twin, "already exists")


def test_personnummer_not_stored_as_twelve_digits_is_refused():
    participant = ParticipantFactory.build(
        personnummer="800101-0008", unit=ParticipantFactory().unit
    )
    assert_refused(participant, "")


def test_personnummer_with_bad_check_digit_is_refused_by_validation():
    participant = ParticipantFactory.build(personnummer="198001010009")
    participant.unit = ParticipantFactory().unit
    with pytest.raises(ValidationError) as error:
        participant.full_clean()
    assert "Invalid check digit." in str(error.value)


@pytest.mark.parametrize("gender", ["okänd", "annat", "man"])
def test_a_gender_other_than_the_personnummers_legal_gender_is_refused(gender):
    # The factory's number is even: legal gender kvinna.
    participant = ParticipantFactory.build(unit=ParticipantFactory().unit)
    participant.gender = gender
    with pytest.raises(ValidationError):
        participant.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        participant.save()
    assert not Participant.objects.filter(gender=gender).exists()


@pytest.mark.parametrize("extent", [0, 51, 100])
def test_study_extent_outside_one_to_fifty_percent_is_refused(extent):
    study = Study(
        participant=ParticipantFactory(),
        kind="sfi",
        start_date=D(2021, 1, 1),
        extent_percent=extent,
    )
    assert_refused(study, "Study extent must be between 1 and 50 percent")


def test_study_of_fifty_percent_is_accepted():
    study = Study(
        participant=ParticipantFactory(), kind="sfi", start_date=D(2021, 1, 1), extent_percent=50
    )
    study.full_clean()
    study.save()
    assert Study.objects.count() == 1


def test_study_ending_before_it_starts_is_refused():
    study = Study(
        participant=ParticipantFactory(),
        kind="sfi",
        start_date=D(2021, 3, 1),
        end_date=D(2021, 2, 1),
        extent_percent=25,
    )
    assert_refused(study, "The end date cannot be before the start date.")


def test_internship_longer_than_four_weeks_is_refused():
    internship = Internship(
        participant=ParticipantFactory(),
        employer="Coop",
        start_date=D(2021, 3, 1),
        end_date=D(2021, 3, 29),
    )
    assert_refused(internship, "at most four weeks")


def test_internship_of_exactly_four_weeks_is_accepted():
    internship = Internship(
        participant=ParticipantFactory(),
        employer="Coop",
        start_date=D(2021, 3, 1),
        end_date=D(2021, 3, 28),
    )
    internship.full_clean()
    internship.save()
    assert internship.pk


def test_wage_subsidy_decided_before_applied_is_refused():
    case = WageSubsidyCase(
        participant=ParticipantFactory(),
        applied_on=D(2021, 3, 1),
        decided_on=D(2021, 2, 1),
        outcome="granted",
    )
    assert_refused(case, "The decision cannot come before the application.")


def test_wage_subsidy_granted_without_decision_date_is_refused():
    case = WageSubsidyCase(
        participant=ParticipantFactory(), applied_on=D(2021, 3, 1), outcome="granted"
    )
    assert_refused(case, "Granted or rejected needs a decision date")


def test_wage_subsidy_processing_days_are_counted_from_application_to_decision():
    case = WageSubsidyCase(applied_on=D(2020, 1, 31), decided_on=D(2020, 3, 1), outcome="granted")
    assert case.processing_days == 30
    assert WageSubsidyCase(applied_on=D(2020, 1, 31)).processing_days is None


def test_job_type_with_inverted_age_range_is_refused():
    jt = JobType(
        code="x", name="X", setting="ordinary", min_age=30, max_age=20, min_months=6, max_months=12
    )
    assert_refused(jt, "The minimum age cannot exceed the maximum age.")


def test_job_type_with_inverted_length_is_refused():
    jt = JobType(
        code="x", name="X", setting="ordinary", min_age=18, max_age=64, min_months=12, max_months=6
    )
    assert_refused(jt, "The minimum length cannot exceed the maximum length.")


def test_one_target_per_job_type_and_year():
    target = PlacementTarget(job_type=job_type("basanstallning"), year=2021, places=1)
    assert_refused(target, "already has a target for that year")


def test_one_register_outcome_per_participant_and_year():
    participant = ParticipantFactory()
    RegisterOutcome.objects.create(participant=participant, year=2020, income_source="studier")
    second = RegisterOutcome(participant=participant, year=2020, income_source="ovrigt")
    with pytest.raises(ValidationError):
        second.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_case_note_cannot_be_empty():
    note = CaseNote(participant=ParticipantFactory(), text="")
    with pytest.raises(ValidationError):
        note.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        note.save()


def test_follow_up_due_date_is_three_calendar_months_clamped_to_month_end():
    assert PlacementFactory.build(end_date=D(2020, 11, 30)).follow_up_due == D(2021, 2, 28)
    assert PlacementFactory.build(end_date=D(2019, 11, 30)).follow_up_due == D(2020, 2, 29)
    assert PlacementFactory.build(end_date=D(2021, 5, 31)).follow_up_due == D(2021, 8, 31)
    assert PlacementFactory.build(end_date=D(2021, 1, 15)).follow_up_due == D(2021, 4, 15)
    assert PlacementFactory.build(end_date=None).follow_up_due is None


def test_correction_note_keeps_the_corrected_note():
    original = CaseNoteFactory(text="Fel datum")
    correction = CaseNoteFactory(participant=original.participant, text="Rätt", corrects=original)
    assert list(original.corrections.all()) == [correction]
    assert CaseNote.objects.count() == 2


def test_placement_queryset_filters_by_activity_and_end_window():
    ongoing = PlacementFactory(start_date=D(2021, 1, 1))
    ended = PlacementFactory(
        start_date=D(2020, 1, 1), end_date=D(2020, 12, 31), end_reason="completed"
    )
    assert set(Placement.objects.active_on(D(2021, 6, 1))) == {ongoing}
    assert set(Placement.objects.active_on(D(2020, 12, 31))) == {ended}
    assert set(Placement.objects.ended_between(D(2020, 12, 31), D(2020, 12, 31))) == {ended}
    assert not Placement.objects.ended_between(D(2021, 1, 1), D(2021, 12, 31)).exists()


def test_deleting_a_participant_takes_their_corrected_notes_with_them():
    original = CaseNoteFactory(text="Fel datum")
    CaseNoteFactory(participant=original.participant, text="Rätt", corrects=original)
    original.participant.delete()
    assert not CaseNote.objects.exists()


def test_a_corrected_note_cannot_be_deleted_on_its_own():
    from django.db.models import RestrictedError

    original = CaseNoteFactory(text="Fel datum")
    CaseNoteFactory(participant=original.participant, text="Rätt", corrects=original)
    with pytest.raises(RestrictedError):
        original.delete()
    assert CaseNote.objects.count() == 2
