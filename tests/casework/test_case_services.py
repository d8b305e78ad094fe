"""The services behind the participant page's forms, including the version check that keeps
two coaches from silently overwriting each other."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from casework.services import placement_end
from core.locking import RecordChanged, lock_unchanged
from followup.models import FollowUp
from participants.models import LearningGoal, SupportActivity
from participants.services import learning_goal_create, learning_goal_update, support_activity_add
from placements.models import Placement, WageSubsidyCase
from placements.services import (
    PlacementNeedsConfirmation,
    placement_extend,
    wage_subsidy_create,
    wage_subsidy_decide,
)
from tests.factories import CoachFactory, ParticipantFactory, PlacementFactory, job_type

pytestmark = pytest.mark.django_db

D = datetime.date
LATER = datetime.timedelta(seconds=1)


def someone_else_saves(model, pk: int, **changes) -> None:
    """Another coach's save in between: the row changes and so does its version."""
    row = model.objects.get(pk=pk)
    model.objects.filter(pk=pk).update(updated_at=row.updated_at + LATER, **changes)


# --- lock_unchanged ------------------------------------------------------------------------


def test_lock_unchanged_returns_the_row_when_the_version_matches():
    placement = PlacementFactory()

    locked = lock_unchanged(Placement.objects, pk=placement.pk, loaded_at=placement.updated_at)

    assert locked == placement


def test_lock_unchanged_raises_with_the_current_row_when_it_changed():
    placement = PlacementFactory()
    someone_else_saves(Placement, placement.pk, funding="amf")

    with pytest.raises(RecordChanged) as changed:
        lock_unchanged(Placement.objects, pk=placement.pk, loaded_at=placement.updated_at)

    assert changed.value.current.funding == "amf"
    assert "Someone else changed this since you opened it" in changed.value.message


def test_lock_unchanged_without_a_version_does_not_check():
    placement = PlacementFactory()
    someone_else_saves(Placement, placement.pk)

    assert lock_unchanged(Placement.objects, pk=placement.pk, loaded_at=None) == placement


# --- Support activities and learning goals ------------------------------------------------


def test_support_activity_add_records_who_and_when():
    participant = ParticipantFactory()
    coach = CoachFactory()

    activity = support_activity_add(
        participant=participant,
        phase="before",
        kind="introduction",
        date=D(2021, 1, 5),
        recorded_by=coach,
        note="  Välkomstsamtal.  ",
    )

    assert SupportActivity.objects.get() == activity
    assert (activity.recorded_by, activity.note) == (coach, "Välkomstsamtal.")


def test_support_activity_add_refuses_an_unknown_kind_and_saves_nothing():
    with pytest.raises(ValidationError) as error:
        support_activity_add(
            participant=ParticipantFactory(),
            phase="before",
            kind="astrology",
            date=D(2021, 1, 5),
            recorded_by=None,
        )

    assert "kind" in error.value.message_dict
    assert not SupportActivity.objects.exists()


def test_support_activity_add_refuses_another_participants_placement():
    with pytest.raises(ValidationError) as error:
        support_activity_add(
            participant=ParticipantFactory(),
            placement=PlacementFactory(),
            phase="during",
            kind="coaching_talk",
            date=D(2021, 1, 5),
            recorded_by=None,
        )

    assert error.value.message_dict == {
        "placement": ["The placement belongs to another participant."]
    }


def test_learning_goal_create_starts_planned():
    goal = learning_goal_create(
        participant=ParticipantFactory(), description=" Truckkort ", target_industry="Lager"
    )

    assert (goal.description, goal.status) == ("Truckkort", "planned")


def test_learning_goal_create_needs_an_industry():
    with pytest.raises(ValidationError) as error:
        learning_goal_create(
            participant=ParticipantFactory(), description="Truckkort", target_industry=" "
        )

    assert "target_industry" in error.value.message_dict
    assert not LearningGoal.objects.exists()


@pytest.fixture
def goal():
    return learning_goal_create(
        participant=ParticipantFactory(), description="Truckkort", target_industry="Lager"
    )


def review(goal, **overrides) -> LearningGoal:
    values = {
        "goal": goal,
        "status": "in_progress",
        "reviewed_on": D(2021, 4, 1),
        "next_review_on": D(2021, 5, 1),
        "target_date": None,
        "loaded_at": goal.updated_at,
    }
    values.update(overrides)
    return learning_goal_update(**values)


def test_learning_goal_update_records_the_review(goal):
    before = goal.updated_at

    updated = review(goal)

    goal.refresh_from_db()
    assert (goal.status, goal.reviewed_on, goal.next_review_on) == (
        "in_progress",
        D(2021, 4, 1),
        D(2021, 5, 1),
    )
    assert goal.updated_at > before
    assert updated.updated_at == goal.updated_at


def test_learning_goal_update_refuses_a_next_review_before_the_last(goal):
    with pytest.raises(ValidationError) as error:
        review(goal, next_review_on=D(2021, 3, 1))

    assert "next_review_on" in error.value.message_dict
    goal.refresh_from_db()
    assert goal.status == "planned"


def test_learning_goal_update_from_an_old_version_is_refused_and_changes_nothing(goal):
    someone_else_saves(LearningGoal, goal.pk, status="reached")

    with pytest.raises(RecordChanged) as changed:
        review(goal, status="not_reached")

    assert changed.value.current.status == "reached"
    goal.refresh_from_db()
    assert (goal.status, goal.reviewed_on) == ("reached", None)


# --- Placements: end and extension ----------------------------------------------------------


def test_placement_end_with_the_current_version_ends_it():
    placement = PlacementFactory()

    ended = placement_end(
        placement=placement,
        end_date=D(2020, 12, 31),
        end_reason="completed",
        loaded_at=placement.updated_at,
    )

    assert ended.end_date == D(2020, 12, 31)
    assert FollowUp.objects.get(placement=placement).due_date == D(2021, 3, 31)


def test_placement_end_from_an_old_version_is_refused_and_opens_no_follow_up():
    placement = PlacementFactory()
    someone_else_saves(Placement, placement.pk, planned_end_date=D(2021, 6, 30))

    with pytest.raises(RecordChanged):
        placement_end(
            placement=placement,
            end_date=D(2020, 12, 31),
            end_reason="completed",
            loaded_at=placement.updated_at,
        )

    placement.refresh_from_db()
    assert placement.end_date is None
    assert not FollowUp.objects.exists()


def test_placement_end_without_a_version_still_works_for_other_callers():
    placement = PlacementFactory()
    someone_else_saves(Placement, placement.pk)

    placement_end(placement=placement, end_date=D(2020, 12, 31), end_reason="completed")

    placement.refresh_from_db()
    assert placement.end_date == D(2020, 12, 31)


@pytest.fixture
def stockholmsvard():
    return PlacementFactory(
        job_type=job_type("stockholmsvard"),  # 10 months, extendable
        start_date=D(2020, 1, 1),
        planned_end_date=D(2020, 10, 31),
    )


def test_placement_extend_moves_the_planned_end_of_an_extendable_job_type(stockholmsvard):
    placement_extend(
        placement=stockholmsvard,
        planned_end_date=D(2021, 4, 30),
        extended_on=D(2020, 9, 15),
        loaded_at=stockholmsvard.updated_at,
    )

    stockholmsvard.refresh_from_db()
    assert (stockholmsvard.planned_end_date, stockholmsvard.extended_on) == (
        D(2021, 4, 30),
        D(2020, 9, 15),
    )


def test_placement_extend_past_a_fixed_length_needs_confirmation():
    placement = PlacementFactory(start_date=D(2020, 1, 1), planned_end_date=D(2020, 12, 31))

    with pytest.raises(PlacementNeedsConfirmation) as warning:
        placement_extend(
            placement=placement, planned_end_date=D(2021, 3, 31), extended_on=D(2020, 12, 1)
        )

    assert warning.value.warnings == [
        "The planned length is 15 months; Basanställning runs 12–12 months."
    ]
    placement.refresh_from_db()
    assert placement.planned_end_date == D(2020, 12, 31)

    placement_extend(
        placement=placement,
        planned_end_date=D(2021, 3, 31),
        extended_on=D(2020, 12, 1),
        confirm_warnings=True,
    )
    placement.refresh_from_db()
    assert placement.planned_end_date == D(2021, 3, 31)


@pytest.mark.parametrize(
    ("planned_end_date", "extended_on", "field", "message"),
    [
        (D(2020, 9, 30), D(2020, 9, 1), "planned_end_date", "must be after the current one"),
        (D(2021, 4, 30), D(2019, 12, 1), "extended_on", "before the placement started"),
    ],
)
def test_placement_extend_refuses_impossible_dates(
    stockholmsvard, planned_end_date, extended_on, field, message
):
    with pytest.raises(ValidationError) as error:
        placement_extend(
            placement=stockholmsvard, planned_end_date=planned_end_date, extended_on=extended_on
        )

    assert message in error.value.message_dict[field][0]
    stockholmsvard.refresh_from_db()
    assert stockholmsvard.extended_on is None


def test_an_ended_placement_is_not_extended(stockholmsvard):
    placement_end(placement=stockholmsvard, end_date=D(2020, 10, 31), end_reason="completed")

    with pytest.raises(ValidationError) as error:
        placement_extend(
            placement=stockholmsvard, planned_end_date=D(2021, 4, 30), extended_on=D(2020, 11, 1)
        )

    assert "an ended placement is not extended" in error.value.message_dict["planned_end_date"][0]


def test_placement_extend_from_an_old_version_is_refused(stockholmsvard):
    someone_else_saves(Placement, stockholmsvard.pk, planned_end_date=D(2021, 1, 31))

    with pytest.raises(RecordChanged):
        placement_extend(
            placement=stockholmsvard,
            planned_end_date=D(2021, 4, 30),
            extended_on=D(2020, 9, 15),
            loaded_at=stockholmsvard.updated_at,
        )

    stockholmsvard.refresh_from_db()
    assert stockholmsvard.planned_end_date == D(2021, 1, 31)


# --- Wage subsidies ----------------------------------------------------------------------------


def test_wage_subsidy_create_waits_for_a_decision():
    case = wage_subsidy_create(
        participant=ParticipantFactory(), applied_on=D(2021, 2, 1), kind="lonebidrag"
    )

    assert (case.outcome, case.decided_on, case.processing_days) == ("pending", None, None)


def test_wage_subsidy_create_refuses_another_participants_placement():
    with pytest.raises(ValidationError):
        wage_subsidy_create(
            participant=ParticipantFactory(),
            applied_on=D(2021, 2, 1),
            kind="lonebidrag",
            placement=PlacementFactory(),
        )

    assert not WageSubsidyCase.objects.exists()


@pytest.fixture
def application():
    return wage_subsidy_create(
        participant=ParticipantFactory(), applied_on=D(2021, 2, 1), kind="lonebidrag"
    )


def test_wage_subsidy_decide_makes_the_processing_time_measurable(application):
    decided = wage_subsidy_decide(
        case=application,
        outcome="granted",
        decided_on=D(2021, 3, 15),
        loaded_at=application.updated_at,
    )

    assert decided.processing_days == 42


@pytest.mark.parametrize(
    ("outcome", "decided_on", "message"),
    [
        ("granted", None, "Enter the date of the decision."),
        ("rejected", None, "Enter the date of the decision."),
        ("withdrawn", D(2021, 3, 1), "A withdrawn application has no decision date"),
        ("granted", D(2021, 1, 1), "The decision cannot come before the application."),
    ],
)
def test_wage_subsidy_decide_refuses_inconsistent_decisions(
    application, outcome, decided_on, message
):
    with pytest.raises(ValidationError) as error:
        wage_subsidy_decide(case=application, outcome=outcome, decided_on=decided_on)

    assert message in error.value.message_dict["decided_on"][0]
    application.refresh_from_db()
    assert application.outcome == "pending"


def test_withdrawn_application_has_no_decision_date(application):
    wage_subsidy_decide(case=application, outcome="withdrawn", decided_on=None)

    application.refresh_from_db()
    assert (application.outcome, application.decided_on) == ("withdrawn", None)


def test_wage_subsidy_decide_from_an_old_version_is_refused(application):
    someone_else_saves(
        WageSubsidyCase, application.pk, outcome="rejected", decided_on=D(2021, 3, 1)
    )

    with pytest.raises(RecordChanged):
        wage_subsidy_decide(
            case=application,
            outcome="granted",
            decided_on=D(2021, 3, 2),
            loaded_at=application.updated_at,
        )

    application.refresh_from_db()
    assert application.outcome == "rejected"
