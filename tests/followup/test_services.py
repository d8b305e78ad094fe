import datetime

import pytest
from django.core.exceptions import ValidationError

from followup.models import FollowUp
from followup.services import followup_register
from tests.factories import PlacementFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def test_outcome_on_a_placement_that_has_not_ended_is_refused(coach):
    placement = PlacementFactory(end_date=None)
    with pytest.raises(ValidationError) as error:
        followup_register(
            placement=placement,
            outcome="studier",
            performed_on=D(2021, 1, 1),
            performed_by=coach,
        )
    assert "has not ended" in str(error.value)
    assert not FollowUp.objects.exists()


def test_registering_the_follow_up_of_an_ended_placement(coach):
    placement = PlacementFactory(end_date=D(2021, 1, 31), end_reason="completed")
    followup = followup_register(
        placement=placement,
        outcome="arbete_subventionerat",
        performed_on=D(2021, 4, 30),
        performed_by=coach,
        employer_or_school="Stockholmshem",
    )
    assert followup.due_date == D(2021, 4, 30)
    assert followup.is_done
    assert FollowUp.objects.get().outcome == "arbete_subventionerat"


def test_registering_twice_updates_the_one_follow_up(coach):
    placement = PlacementFactory(end_date=D(2021, 1, 31), end_reason="completed")
    followup_register(
        placement=placement, outcome="ej_nadd", performed_on=D(2021, 4, 30), performed_by=coach
    )
    followup_register(
        placement=placement, outcome="studier", performed_on=D(2021, 5, 3), performed_by=coach
    )
    assert FollowUp.objects.count() == 1
    assert FollowUp.objects.get().outcome == "studier"


def test_unknown_outcome_code_is_refused(coach):
    placement = PlacementFactory(end_date=D(2021, 1, 31), end_reason="completed")
    with pytest.raises(ValidationError) as error:
        followup_register(
            placement=placement, outcome="semester", performed_on=D(2021, 4, 30), performed_by=coach
        )
    assert "Choose one of the outcome codes." in str(error.value)
    assert not FollowUp.objects.exists()


def test_follow_up_dated_before_the_end_is_refused(coach):
    placement = PlacementFactory(end_date=D(2021, 1, 31), end_reason="completed")
    with pytest.raises(ValidationError):
        followup_register(
            placement=placement, outcome="studier", performed_on=D(2021, 1, 1), performed_by=coach
        )
    assert not FollowUp.objects.exists()


def test_a_save_from_an_older_version_is_refused_and_changes_nothing(coach):
    from core.locking import RecordChanged

    placement = PlacementFactory(end_date=D(2021, 1, 31), end_reason="completed")
    first = followup_register(
        placement=placement, outcome="ej_nadd", performed_on=D(2021, 4, 30), performed_by=coach
    )
    opened_at = first.updated_at
    followup_register(
        placement=placement,
        outcome="studier",
        performed_on=D(2021, 5, 2),
        performed_by=coach,
        loaded_at=opened_at,
    )
    with pytest.raises(RecordChanged):
        followup_register(
            placement=placement,
            outcome="arbetssokande",
            performed_on=D(2021, 5, 3),
            performed_by=coach,
            loaded_at=opened_at,
        )
    assert FollowUp.objects.get().outcome == "studier"


def test_a_form_opened_before_the_follow_up_existed_is_refused_once_it_is_registered(coach):
    from core.locking import RecordChanged

    placement = PlacementFactory(end_date=D(2021, 1, 31), end_reason="completed")
    followup_register(
        placement=placement, outcome="studier", performed_on=D(2021, 4, 30), performed_by=coach
    )
    with pytest.raises(RecordChanged):
        followup_register(
            placement=placement,
            outcome="ej_nadd",
            performed_on=D(2021, 5, 3),
            performed_by=coach,
            loaded_at=None,
        )
    assert FollowUp.objects.get().outcome == "studier"
