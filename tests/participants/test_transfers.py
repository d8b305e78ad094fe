"""Transfer between units: the services that ask, approve and decline, and who sees what."""

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from audit.models import AccessLogEntry, Action
from audit.selectors import log_for_review
from participants.models import Participant, TransferRequest, TransferStatus
from participants.selectors import (
    participant_for_user,
    participants_for_user,
    transfer_for_user,
    transfers_for_user,
    transfers_waiting_for,
)
from participants.services import transfer_approve, transfer_ask, transfer_decline
from tests.factories import (
    AdminFactory,
    CaseNoteFactory,
    CoachFactory,
    ManagerFactory,
    ParticipantFactory,
    PlacementFactory,
    TransferRequestFactory,
    UnitFactory,
    make_personnummer,
)

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1987, 3, 9)
NUMBER = make_personnummer(BIRTH, 344)
NOW = datetime.datetime(2021, 6, 15, 10, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def elsewhere(other_unit, other_coach):
    """A participant of the other unit: the person the coach of `unit` asks for."""
    return ParticipantFactory(
        unit=other_unit, coach=other_coach, personnummer=NUMBER, birth_date=BIRTH
    )


@pytest.fixture
def other_manager(other_unit):
    return ManagerFactory(username="manager2", unit=other_unit)


def transfer_rows() -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(object_type="transferrequest").order_by("id"))


# --- Asking ---------------------------------------------------------------------------------


def test_a_request_for_a_person_of_another_unit_is_stored_and_logged(coach, unit, elsewhere):
    transfer = transfer_ask(
        personnummer=f"{NUMBER[2:8]}-{NUMBER[8:]}",
        to_unit=unit,
        requested_by=coach,
        reason="  Flyttat till Järva.  ",
    )

    assert transfer is not None
    transfer.refresh_from_db()
    assert transfer.participant == elsewhere
    assert transfer.from_unit == elsewhere.unit
    assert transfer.to_unit == unit
    assert transfer.requested_by == coach
    assert transfer.requested_at == NOW
    assert transfer.reason == "Flyttat till Järva."
    assert transfer.status == TransferStatus.PENDING
    assert transfer.decided_by is None and transfer.decided_at is None
    [row] = transfer_rows()
    assert (row.action, row.participant_id, row.object_id) == (
        Action.CREATE,
        elsewhere.pk,
        transfer.pk,
    )
    assert row.username == coach.username
    # The person by id only: no name, no number, and not the coach's words.
    assert row.detail == "transfer requested"


def test_an_unknown_number_stores_and_logs_nothing(coach, unit):
    assert transfer_ask(personnummer=NUMBER, to_unit=unit, requested_by=coach) is None
    assert not TransferRequest.objects.exists()
    assert not AccessLogEntry.objects.exists()


def test_a_person_of_the_askers_own_unit_stores_and_logs_nothing(coach, unit):
    ParticipantFactory(unit=unit, personnummer=NUMBER, birth_date=BIRTH)

    assert transfer_ask(personnummer=NUMBER, to_unit=unit, requested_by=coach) is None
    assert not TransferRequest.objects.exists()
    assert not AccessLogEntry.objects.exists()


def test_asking_again_while_a_request_waits_stores_nothing(coach, unit, elsewhere):
    first = transfer_ask(personnummer=NUMBER, to_unit=unit, requested_by=coach)
    colleague = CoachFactory(unit=unit)

    again = transfer_ask(personnummer=NUMBER, to_unit=unit, requested_by=colleague)

    assert first is not None and again is None
    assert TransferRequest.objects.count() == 1
    assert len(transfer_rows()) == 1


def test_a_unit_may_ask_again_after_a_decline(coach, unit, elsewhere, other_manager):
    first = transfer_ask(personnummer=NUMBER, to_unit=unit, requested_by=coach)
    transfer_decline(transfer=first, decided_by=other_manager)

    again = transfer_ask(personnummer=NUMBER, to_unit=unit, requested_by=coach)

    assert again is not None and again.pk != first.pk
    assert TransferRequest.objects.filter(status=TransferStatus.PENDING).count() == 1


def test_two_units_may_each_have_a_request_waiting(coach, unit, elsewhere):
    third = UnitFactory(name="Jobbtorg Skärholmen")
    transfer_ask(personnummer=NUMBER, to_unit=unit, requested_by=coach)
    transfer_ask(personnummer=NUMBER, to_unit=third, requested_by=CoachFactory(unit=third))
    assert TransferRequest.objects.filter(status=TransferStatus.PENDING).count() == 2


def test_the_database_keeps_one_waiting_request_per_person_and_unit(elsewhere, unit):
    TransferRequestFactory(participant=elsewhere, to_unit=unit)
    TransferRequestFactory(
        participant=elsewhere,
        to_unit=unit,
        status=TransferStatus.DECLINED,
        decided_at=timezone.now(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        TransferRequestFactory(participant=elsewhere, to_unit=unit)


def test_the_database_refuses_a_request_into_the_persons_own_unit(elsewhere):
    with pytest.raises(IntegrityError), transaction.atomic():
        TransferRequestFactory(participant=elsewhere, to_unit=elsewhere.unit)


def test_the_database_refuses_a_decision_without_a_time(elsewhere):
    with pytest.raises(IntegrityError), transaction.atomic():
        TransferRequestFactory(participant=elsewhere, status=TransferStatus.APPROVED)


def test_a_request_that_loses_a_race_stores_one_and_is_no_error(
    coach, unit, elsewhere, monkeypatch
):
    transfer_ask(personnummer=NUMBER, to_unit=unit, requested_by=coach)
    # The second request checked before the first one's row was committed.
    exists = QuerySet.exists
    monkeypatch.setattr(
        QuerySet, "exists", lambda self: False if self.model is TransferRequest else exists(self)
    )
    monkeypatch.setattr(TransferRequest, "validate_constraints", lambda self, exclude=None: None)

    again = transfer_ask(personnummer=NUMBER, to_unit=unit, requested_by=CoachFactory(unit=unit))

    assert again is None
    assert TransferRequest.objects.count() == 1
    assert len(transfer_rows()) == 1


def test_a_coach_asks_only_for_their_own_unit(coach, other_unit, elsewhere):
    third = UnitFactory(name="Jobbtorg Skärholmen")
    with pytest.raises(PermissionDenied):
        transfer_ask(personnummer=NUMBER, to_unit=third, requested_by=coach)
    assert not TransferRequest.objects.exists()


def test_a_manager_does_not_ask(manager, unit, elsewhere):
    with pytest.raises(PermissionDenied):
        transfer_ask(personnummer=NUMBER, to_unit=unit, requested_by=manager)


def test_an_admin_asks_for_any_active_unit_but_not_a_closed_one(elsewhere, unit):
    admin = AdminFactory()
    assert transfer_ask(personnummer=NUMBER, to_unit=unit, requested_by=admin) is not None

    closed = UnitFactory(name="Jobbtorg Nedlagd", active=False)
    with pytest.raises(ValidationError):
        transfer_ask(personnummer=NUMBER, to_unit=closed, requested_by=admin)


# --- Nothing of the case before approval --------------------------------------------------


def test_a_waiting_request_shows_the_asker_nothing(coach, unit, elsewhere):
    transfer = transfer_ask(personnummer=NUMBER, to_unit=unit, requested_by=coach)

    assert elsewhere not in participants_for_user(coach)
    with pytest.raises(Http404):
        participant_for_user(coach, elsewhere.pk)
    assert not transfers_for_user(coach).exists()
    with pytest.raises(Http404):
        transfer_for_user(coach, transfer.pk)


def test_after_approval_the_person_is_the_askers_with_no_special_case(
    coach, unit, elsewhere, other_manager
):
    transfer = transfer_ask(personnummer=NUMBER, to_unit=unit, requested_by=coach)
    transfer_approve(transfer=transfer, decided_by=other_manager)

    assert participant_for_user(coach, elsewhere.pk) == elsewhere
    assert elsewhere in participants_for_user(coach).filter(coach=coach)


# --- Approving ------------------------------------------------------------------------------


def test_approval_moves_the_person_and_makes_the_asker_their_coach(
    coach, unit, elsewhere, other_manager
):
    transfer = transfer_ask(personnummer=NUMBER, to_unit=unit, requested_by=coach)
    later = NOW + datetime.timedelta(days=2)

    with time_machine.travel(later, tick=False):
        transfer_approve(transfer=transfer, decided_by=other_manager)

    elsewhere.refresh_from_db()
    transfer.refresh_from_db()
    assert (elsewhere.unit, elsewhere.coach) == (unit, coach)
    assert elsewhere.updated_at == later
    assert transfer.status == TransferStatus.APPROVED
    assert (transfer.decided_by, transfer.decided_at) == (other_manager, later)
    row = transfer_rows()[-1]
    assert (row.action, row.participant_id, row.object_id, row.username) == (
        Action.CHANGE,
        elsewhere.pk,
        transfer.pk,
        other_manager.username,
    )
    assert row.detail == f"transfer approved (request {transfer.pk})"


def test_the_decisions_are_no_reads_outside_reach_for_the_review(
    coach, unit, elsewhere, other_manager
):
    """The owning unit's manager decided on their own participant: the move that
    follows does not make the approval look like a read of another unit's person."""
    third = UnitFactory(name="Jobbtorg Skärholmen")
    chosen = TransferRequestFactory(participant=elsewhere, to_unit=unit, requested_by=coach)
    TransferRequestFactory(participant=elsewhere, to_unit=third)

    transfer_approve(transfer=chosen, decided_by=other_manager)

    rows = log_for_review().filter(object_type="transferrequest", action=Action.CHANGE)
    assert [row.flagged for row in rows] == [False, False]


def test_the_case_goes_with_the_person(coach, unit, elsewhere, other_manager):
    placement = PlacementFactory(participant=elsewhere)
    note = CaseNoteFactory(participant=elsewhere)
    transfer = TransferRequestFactory(participant=elsewhere, to_unit=unit, requested_by=coach)

    transfer_approve(transfer=transfer, decided_by=other_manager)

    assert list(participants_for_user(coach).get(pk=elsewhere.pk).placements.all()) == [placement]
    assert list(elsewhere.notes.all()) == [note]


def test_an_admins_request_leaves_the_person_without_a_coach(unit, elsewhere, other_manager):
    transfer = TransferRequestFactory(
        participant=elsewhere, to_unit=unit, requested_by=AdminFactory()
    )

    transfer_approve(transfer=transfer, decided_by=other_manager)

    elsewhere.refresh_from_db()
    # The old coach works in the old unit: the new unit's manager assigns one.
    assert (elsewhere.unit, elsewhere.coach) == (unit, None)


def test_an_asker_who_has_left_the_unit_does_not_become_the_coach(
    coach, unit, elsewhere, other_manager
):
    transfer = TransferRequestFactory(participant=elsewhere, to_unit=unit, requested_by=coach)
    coach.is_active = False
    coach.save(update_fields=["is_active"])

    transfer_approve(transfer=transfer, decided_by=other_manager)

    elsewhere.refresh_from_db()
    assert (elsewhere.unit, elsewhere.coach) == (unit, None)


def test_approval_declines_the_other_units_requests_for_the_person(
    coach, unit, elsewhere, other_manager
):
    third = UnitFactory(name="Jobbtorg Skärholmen")
    chosen = TransferRequestFactory(participant=elsewhere, to_unit=unit, requested_by=coach)
    moot = TransferRequestFactory(participant=elsewhere, to_unit=third)

    transfer_approve(transfer=chosen, decided_by=other_manager)

    moot.refresh_from_db()
    assert moot.status == TransferStatus.DECLINED
    assert moot.decided_by == other_manager
    row = transfer_rows()[-1]
    assert (row.object_id, row.action, row.participant_id) == (moot.pk, Action.CHANGE, elsewhere.pk)
    assert row.detail == f"transfer declined (request {moot.pk}): moved by request {chosen.pk}"


def test_an_admin_decides_for_any_unit(coach, unit, elsewhere):
    transfer = TransferRequestFactory(participant=elsewhere, to_unit=unit, requested_by=coach)
    transfer_approve(transfer=transfer, decided_by=AdminFactory())
    elsewhere.refresh_from_db()
    assert elsewhere.unit == unit


def test_nobody_approves_their_own_request(unit, elsewhere):
    admin = AdminFactory()
    transfer = TransferRequestFactory(participant=elsewhere, to_unit=unit, requested_by=admin)

    with pytest.raises(ValidationError, match="your own request"):
        transfer_approve(transfer=transfer, decided_by=admin)

    elsewhere.refresh_from_db()
    assert elsewhere.unit != unit
    # Withdrawing it is declining it.
    transfer_decline(transfer=transfer, decided_by=admin)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DECLINED


@pytest.mark.parametrize("who", ["manager of the asking unit", "manager of a third unit", "coach"])
def test_only_the_owning_units_manager_or_an_admin_decides(who, coach, unit, manager, elsewhere):
    decider = {
        "manager of the asking unit": manager,
        "manager of a third unit": ManagerFactory(unit=UnitFactory(name="Jobbtorg Tredje")),
        "coach": CoachFactory(unit=elsewhere.unit),
    }[who]
    transfer = TransferRequestFactory(participant=elsewhere, to_unit=unit, requested_by=coach)

    for decide in (transfer_approve, transfer_decline):
        with pytest.raises(PermissionDenied):
            decide(transfer=transfer, decided_by=decider)

    transfer.refresh_from_db()
    elsewhere.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING
    assert elsewhere.unit != unit


def test_a_request_moot_since_the_person_is_already_there_is_refused(
    coach, unit, elsewhere, other_manager
):
    transfer = TransferRequestFactory(participant=elsewhere, to_unit=unit, requested_by=coach)
    # Moved by an administrator in the Django admin meanwhile.
    Participant.objects.filter(pk=elsewhere.pk).update(unit=unit)

    with pytest.raises(ValidationError, match="already in"):
        transfer_approve(transfer=transfer, decided_by=AdminFactory())
    assert transfer not in transfers_waiting_for(AdminFactory())


def test_a_closed_asking_unit_cannot_receive_the_person(coach, unit, elsewhere, other_manager):
    transfer = TransferRequestFactory(participant=elsewhere, to_unit=unit, requested_by=coach)
    unit.active = False
    unit.save(update_fields=["active"])

    with pytest.raises(ValidationError, match="closed"):
        transfer_approve(transfer=transfer, decided_by=other_manager)


# --- Declining ------------------------------------------------------------------------------


def test_decline_changes_nothing_of_the_case_and_is_logged(coach, unit, elsewhere, other_manager):
    transfer = TransferRequestFactory(participant=elsewhere, to_unit=unit, requested_by=coach)
    before = Participant.objects.filter(pk=elsewhere.pk).values().get()

    transfer_decline(transfer=transfer, decided_by=other_manager)

    assert Participant.objects.filter(pk=elsewhere.pk).values().get() == before
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DECLINED
    assert (transfer.decided_by, transfer.decided_at) == (other_manager, NOW)
    [row] = transfer_rows()
    assert (row.action, row.participant_id, row.object_id) == (
        Action.CHANGE,
        elsewhere.pk,
        transfer.pk,
    )
    assert row.detail == f"transfer declined (request {transfer.pk})"
    assert participant_for_user(other_manager, elsewhere.pk) == elsewhere
    with pytest.raises(Http404):
        participant_for_user(coach, elsewhere.pk)


# --- A decision is made once -----------------------------------------------------------------


@pytest.mark.parametrize("first", [transfer_approve, transfer_decline])
@pytest.mark.parametrize("second", [transfer_approve, transfer_decline])
def test_a_decided_request_cannot_be_decided_again(
    first, second, coach, unit, elsewhere, other_manager
):
    transfer = TransferRequestFactory(participant=elsewhere, to_unit=unit, requested_by=coach)
    colleague = ManagerFactory(unit=elsewhere.unit, first_name="Maja", last_name="Lind")
    first(transfer=transfer, decided_by=colleague)
    decided = TransferRequest.objects.values().get(pk=transfer.pk)
    placed = Participant.objects.values("unit", "coach").get(pk=elsewhere.pk)

    with pytest.raises(ValidationError) as error:
        second(transfer=transfer, decided_by=AdminFactory())

    verb = "approved" if first is transfer_approve else "declined"
    assert error.value.messages == [
        f"This request was already {verb} by Maja Lind (06/15/2021 12:30 p.m.)."
    ]
    assert TransferRequest.objects.values().get(pk=transfer.pk) == decided
    assert Participant.objects.values("unit", "coach").get(pk=elsewhere.pk) == placed


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_managers_deciding_at_once_make_one_decision(postgres, monkeypatch):
    """The first decision holds the request's row lock while the second arrives.

    Without select_for_update the second would read the request as waiting
    (the first has not committed) and decide it again.
    """
    owning, asking = UnitFactory(name="Enhet Ägare"), UnitFactory(name="Enhet Frågar")
    participant = ParticipantFactory(unit=owning)
    transfer = TransferRequestFactory(participant=participant, to_unit=asking)
    approver = ManagerFactory(unit=owning)
    decliner = ManagerFactory(unit=owning)
    inside, go = threading.Event(), threading.Event()
    original_full_clean = TransferRequest.full_clean
    first_caller = threading.Lock()

    def slow_full_clean(self, *args, **kwargs):
        if first_caller.acquire(blocking=False):
            inside.set()
            go.wait(timeout=10)
        return original_full_clean(self, *args, **kwargs)

    monkeypatch.setattr(TransferRequest, "full_clean", slow_full_clean)
    outcomes: list[str] = []

    def decide(service, manager) -> None:
        try:
            service(transfer=transfer, decided_by=manager)
            outcomes.append("decided")
        except ValidationError:
            outcomes.append("already decided")
        finally:
            connection.close()

    first = threading.Thread(target=decide, args=(transfer_approve, approver))
    first.start()
    assert inside.wait(timeout=10)
    second = threading.Thread(target=decide, args=(transfer_decline, decliner))
    second.start()
    second.join(timeout=1)  # blocked on the row lock, or (without it) already done
    go.set()
    first.join(timeout=10)
    second.join(timeout=10)

    assert sorted(outcomes) == ["already decided", "decided"]
    transfer.refresh_from_db()
    participant.refresh_from_db()
    assert transfer.status == TransferStatus.APPROVED
    assert participant.unit == asking
    assert AccessLogEntry.objects.filter(object_type="transferrequest").count() == 1


# --- Who sees the requests -------------------------------------------------------------------


def test_a_manager_sees_the_requests_about_their_units_participants_only(
    unit, manager, other_unit, other_manager, elsewhere
):
    ours = TransferRequestFactory(participant=elsewhere, to_unit=unit)
    theirs = TransferRequestFactory(participant=ParticipantFactory(unit=unit), to_unit=other_unit)

    assert list(transfers_waiting_for(other_manager)) == [ours]
    assert list(transfers_waiting_for(manager)) == [theirs]
    assert set(transfers_waiting_for(AdminFactory())) == {ours, theirs}
    with pytest.raises(Http404):
        transfer_for_user(manager, ours.pk)


def test_a_refused_look_at_a_request_is_logged_naming_its_participant(manager, unit, elsewhere):
    transfer = TransferRequestFactory(participant=elsewhere, to_unit=unit)

    with pytest.raises(Http404):
        transfer_for_user(manager, transfer.pk)
    with pytest.raises(Http404):
        transfer_for_user(manager, transfer.pk + 1000)

    refused = AccessLogEntry.objects.filter(action=Action.REFUSED).order_by("id")
    assert [row.participant_id for row in refused] == [elsewhere.pk, None]
