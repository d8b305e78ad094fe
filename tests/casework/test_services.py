"""casework.services: the writes that span records, and the drift they close."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from casework.services import placement_end, placement_save
from followup.models import FollowUp
from followup.services import followup_register
from placements.models import Internship, Placement
from placements.services import internship_create
from tests.factories import PlacementFactory

pytestmark = pytest.mark.django_db


def test_internship_create_refuses_another_participants_placement():
    mine = PlacementFactory()
    theirs = PlacementFactory()

    with pytest.raises(ValidationError) as refused:
        internship_create(
            participant=mine.participant,
            placement=theirs,
            employer="Lagerbolaget AB",
            start_date=datetime.date(2020, 6, 1),
            end_date=datetime.date(2020, 6, 14),
        )

    assert "placement" in refused.value.message_dict
    assert not Internship.objects.exists()


def test_placement_end_ends_and_opens_the_follow_up_in_one_transaction():
    placement = PlacementFactory(start_date=datetime.date(2020, 2, 1), end_date=None)

    placement_end(placement=placement, end_date=datetime.date(2020, 11, 30), end_reason="completed")

    placement.refresh_from_db()
    assert placement.end_date == datetime.date(2020, 11, 30)
    assert FollowUp.objects.get(placement=placement).due_date == datetime.date(2021, 2, 28)


def test_a_refused_end_leaves_neither_an_end_nor_a_follow_up():
    first = PlacementFactory(start_date=datetime.date(2020, 2, 1), end_date=None)
    later = PlacementFactory(
        participant=first.participant,
        start_date=datetime.date(2021, 1, 1),
        end_date=datetime.date(2021, 6, 30),
        end_reason="completed",
    )
    FollowUp.objects.filter(placement=later).delete()

    with pytest.raises(ValidationError):
        placement_end(placement=first, end_date=datetime.date(2021, 3, 31), end_reason="completed")

    first.refresh_from_db()
    assert first.end_date is None
    assert not FollowUp.objects.filter(placement=first).exists()


def test_placement_save_moves_the_follow_up_with_a_corrected_end():
    placement = PlacementFactory(
        start_date=datetime.date(2020, 2, 1),
        end_date=datetime.date(2020, 10, 31),
        end_reason="completed",
    )
    FollowUp.objects.create(placement=placement, due_date=datetime.date(2021, 1, 31))

    placement.end_date = datetime.date(2020, 11, 30)
    placement_save(placement=placement)

    assert FollowUp.objects.get(placement=placement).due_date == datetime.date(2021, 2, 28)


def test_placement_save_keeps_an_adjusted_due_date_when_the_end_does_not_change():
    placement = PlacementFactory(
        start_date=datetime.date(2020, 2, 1),
        end_date=datetime.date(2020, 10, 31),
        end_reason="completed",
    )
    FollowUp.objects.create(placement=placement, due_date=datetime.date(2021, 2, 15))

    placement.funding = "amf"
    placement_save(placement=Placement.objects.get(pk=placement.pk))

    assert FollowUp.objects.get(placement=placement).due_date == datetime.date(2021, 2, 15)


def test_placement_save_refuses_to_reopen_a_placement_with_a_registered_follow_up():
    placement = PlacementFactory(
        start_date=datetime.date(2020, 2, 1),
        end_date=datetime.date(2020, 10, 31),
        end_reason="completed",
    )
    FollowUp.objects.create(
        placement=placement,
        due_date=datetime.date(2021, 1, 31),
        performed_on=datetime.date(2021, 1, 20),
        outcome="studier",
    )

    placement.end_date = None
    placement.end_reason = ""
    with pytest.raises(ValidationError):
        placement_save(placement=placement)

    assert Placement.objects.get(pk=placement.pk).end_date == datetime.date(2020, 10, 31)
    assert FollowUp.objects.get(placement=placement).is_done


TODAY = datetime.datetime(2026, 12, 5, 12, tzinfo=datetime.UTC)


@time_machine.travel(TODAY, tick=False)
def test_an_end_after_today_is_refused_and_opens_no_follow_up():
    placement = PlacementFactory(
        start_date=datetime.date(2026, 2, 1), planned_end_date=None, end_date=None
    )

    with pytest.raises(ValidationError) as refused:
        placement_end(
            placement=placement, end_date=datetime.date(2026, 12, 31), end_reason="completed"
        )

    assert "end_date" in refused.value.message_dict
    placement.refresh_from_db()
    assert placement.end_date is None
    assert not FollowUp.objects.filter(placement=placement).exists()


@time_machine.travel(TODAY, tick=False)
def test_an_end_today_is_accepted():
    placement = PlacementFactory(
        start_date=datetime.date(2026, 2, 1), planned_end_date=None, end_date=None
    )

    placement_end(placement=placement, end_date=datetime.date(2026, 12, 5), end_reason="completed")

    assert FollowUp.objects.get(placement=placement).due_date == datetime.date(2027, 3, 5)


@time_machine.travel(TODAY, tick=False)
def test_a_follow_up_dated_after_today_is_refused():
    placement = PlacementFactory(
        start_date=datetime.date(2026, 1, 1),
        planned_end_date=None,
        end_date=datetime.date(2026, 8, 31),
        end_reason="completed",
    )

    with pytest.raises(ValidationError) as refused:
        followup_register(
            placement=placement,
            outcome="studier",
            performed_on=datetime.date(2026, 12, 6),
            performed_by=None,
        )

    assert "performed_on" in refused.value.message_dict
    assert not FollowUp.objects.filter(placement=placement, performed_on__isnull=False).exists()
