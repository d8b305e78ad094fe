import datetime

import pytest
from django.core.exceptions import ValidationError

from casework.services import placement_end
from followup.models import FollowUp
from placements.models import Internship, Placement
from placements.services import (
    PlacementNeedsConfirmation,
    internship_create,
    placement_create,
    placement_warnings,
)
from tests.factories import ParticipantFactory, PlacementFactory, WorkplaceFactory, job_type

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def person():
    # Born 1990-06-15: 29 on 2020-01-01, 30 on 2020-06-15.
    return ParticipantFactory(birth_date=D(1990, 6, 15), personnummer="199006150005")


def place(participant, **overrides) -> Placement:
    values = {
        "participant": participant,
        "job_type": job_type("basanstallning"),
        "workplace": WorkplaceFactory(),
        "start_date": D(2020, 1, 1),
        "planned_end_date": D(2020, 12, 31),
    }
    values.update(overrides)
    return placement_create(**values)


def test_placement_create_saves_a_placement_within_the_job_types_ranges(person):
    placement = place(person)
    assert Placement.objects.get() == placement
    assert placement.end_date is None


def test_overlapping_placement_is_refused_and_nothing_saved(person):
    place(person)
    with pytest.raises(ValidationError) as error:
        place(person, start_date=D(2020, 6, 1), planned_end_date=D(2021, 5, 31))
    assert "already has a placement in this period" in str(error.value)
    assert Placement.objects.count() == 1


def test_placement_after_an_ended_one_is_accepted(person):
    first = place(person)
    placement_end(placement=first, end_date=D(2020, 12, 31), end_reason="completed")
    second = place(person, start_date=D(2021, 1, 1), planned_end_date=D(2021, 12, 31))
    assert Placement.objects.count() == 2
    assert second.start_date == D(2021, 1, 1)


def test_placement_starting_on_the_day_another_ended_overlaps(person):
    first = place(person)
    placement_end(placement=first, end_date=D(2020, 12, 31), end_reason="completed")
    with pytest.raises(ValidationError):
        place(person, start_date=D(2020, 12, 31), planned_end_date=D(2021, 12, 30))


def test_age_outside_the_job_types_range_needs_confirmation(person):
    young = job_type("ungdomsanstallning")  # 16–29
    with pytest.raises(PlacementNeedsConfirmation) as error:
        place(person, job_type=young, start_date=D(2020, 7, 1), planned_end_date=D(2020, 12, 31))
    assert error.value.warnings == [
        "The participant is 30 at the start; Ungdomsanställning is for ages 16–29."
    ]
    assert not Placement.objects.exists()
    placement = place(
        person,
        job_type=young,
        start_date=D(2020, 7, 1),
        planned_end_date=D(2020, 12, 31),
        confirm_warnings=True,
    )
    assert placement.pk


def test_length_outside_the_job_types_range_is_a_warning(person):
    warnings = placement_warnings(
        participant=person,
        job_type=job_type("jobbstartsanstallning"),
        start_date=D(2010, 1, 1),
        planned_end_date=D(2010, 12, 31),
    )
    assert warnings == ["The planned length is 12 months; Jobbstartsanställning runs 6–6 months."]
    assert not placement_warnings(
        participant=person,
        job_type=job_type("jobbstartsanstallning"),
        start_date=D(2010, 1, 1),
        planned_end_date=D(2010, 6, 30),
    )


def test_placement_end_opens_the_follow_up_with_its_due_date(person):
    placement = place(person)
    placement_end(placement=placement, end_date=D(2020, 11, 30), end_reason="work")
    followup = FollowUp.objects.get(placement=placement)
    assert followup.due_date == D(2021, 2, 28)
    assert followup.outcome == ""
    # Ending again (a corrected date) moves the due date instead of adding a follow-up.
    placement_end(placement=placement, end_date=D(2020, 10, 15), end_reason="work")
    assert FollowUp.objects.get(placement=placement).due_date == D(2021, 1, 15)
    assert FollowUp.objects.count() == 1


def test_placement_end_before_start_is_refused_and_nothing_saved(person):
    placement = place(person)
    with pytest.raises(ValidationError) as error:
        placement_end(placement=placement, end_date=D(2019, 12, 31), end_reason="work")
    assert "The end date cannot be before the start date." in str(error.value)
    placement.refresh_from_db()
    assert placement.end_date is None
    assert not FollowUp.objects.exists()


def test_placement_end_needs_a_reason(person):
    placement = place(person)
    with pytest.raises(ValidationError) as error:
        placement_end(placement=placement, end_date=D(2020, 12, 31), end_reason="")
    assert "Say why the placement ended." in str(error.value)


def test_internship_over_four_weeks_is_refused_by_the_service():
    participant = PlacementFactory().participant
    with pytest.raises(ValidationError) as error:
        internship_create(
            participant=participant,
            employer="ICA",
            start_date=D(2020, 3, 1),
            end_date=D(2020, 3, 29),
        )
    assert "at most four weeks" in str(error.value)
    assert not Internship.objects.exists()
    internship_create(
        participant=participant, employer="ICA", start_date=D(2020, 3, 1), end_date=D(2020, 3, 28)
    )
    assert Internship.objects.count() == 1
