from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from accounts.models import Role, User
from audit.context import current_request
from audit.models import Action
from audit.services import log_access, log_change, log_refused, note_participant_in_reach
from participants.models import (
    CaseStatusChange,
    Consent,
    ConsentFlow,
    Participant,
    ParticipantChange,
    TransferRequest,
    TransferStatus,
)
from participants.personnummer import Personnummer

# The one permission for special-category data; see can_see_sensitive.
SENSITIVE_PERMISSION = "participants.view_sensitive"


def participants_for_user(user: User) -> QuerySet[Participant]:
    """Every participant the user may read; the only way views list case data.

    Coaches and managers read their own unit; programme admins read everyone
    (they answer register-extract requests and run imports). Anyone else,
    including a coach without a unit, reads nobody.
    """
    qs = Participant.objects.select_related("unit", "coach", "district")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.has_role(Role.ADMIN):
        return qs
    if (user.has_role(Role.COACH) or user.has_role(Role.MANAGER)) and user.unit_id:
        return qs.filter(unit_id=user.unit_id)
    return qs.none()


def participant_for_user(
    user: User, pk: int, *, action: str | None = None, detail: str = ""
) -> Participant:
    """One participant, or 404 when the user may not read them.

    A 404 rather than a 403 so that a record's existence is not disclosed.
    Every call is an access-log row: ``action`` when given (an export, say),
    else "view", or, for a POST, "change" if the request saved something and
    "view" if it was refused (``audit.services.log_change``); or "refused"
    with the participant id asked for. A request refused after this (a 403:
    the user may read the case but not do this) names the participant in its
    refusal row.
    """
    try:
        participant = participants_for_user(user).get(pk=pk)
    except Participant.DoesNotExist:
        log_refused(status=404, participant_id=pk, user=user)
        raise Http404("No such participant.") from None
    note_participant_in_reach(participant.pk)
    row = {
        "participant_id": participant.pk,
        "object_type": "participant",
        "object_id": participant.pk,
        "detail": detail,
        "user": user,
        "unit_and_coach": (participant.unit_id, participant.coach_id),
    }
    request = current_request()
    if action is None and request is not None and request.method == "POST":
        log_change(**row)
    else:
        log_access(action=action or Action.VIEW, **row)
    return participant


def can_edit_participant(user: User, participant: Participant) -> bool:
    """Coaches edit their unit's participants; managers only read them."""
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.COACH) and user.unit_id == participant.unit_id


def can_correct_personnummer(user: User) -> bool:
    """Administrators correct a personnummer typed wrong (``personnummer_correct``)."""
    return user.is_authenticated and user.has_role(Role.ADMIN)


def personnummer_for_user(user: User, participant: Participant) -> str:
    """The full number, ``YYYYMMDD-NNNN``, for a user who asked to see it ("visa").

    Everywhere else the number is masked. Those who may edit the case (its
    unit's coaches, administrators) may see it, each time with an access-log
    row of its own; a manager, who reads the case for the unit's figures,
    does not need it. The participant comes from ``participant_for_user``.
    """
    if not can_edit_participant(user, participant):
        raise PermissionDenied
    log_access(
        action=Action.REVEAL,
        participant_id=participant.pk,
        object_type="personnummer",
        object_id=participant.pk,
        detail="full personal identity number shown",
        user=user,
        unit_and_coach=(participant.unit_id, participant.coach_id),
    )
    return Personnummer(participant.personnummer).formatted


def participant_history(user: User, participant: Participant) -> QuerySet[ParticipantChange]:
    """The changes of the participant's data, newest first, with who made them.

    A change of a sensitive field is left out for a user who may not see it:
    not even that it was changed.
    """
    rows = ParticipantChange.objects.filter(participant=participant).select_related("changed_by")
    if not can_see_sensitive(user):
        rows = rows.exclude(field__in=Participant.SENSITIVE_FIELDS)
    return rows.order_by("-changed_at", "-id")


def case_status_changes(participant: Participant) -> QuerySet[CaseStatusChange]:
    """The case's closings and reopenings, newest first."""
    return CaseStatusChange.objects.filter(participant=participant).select_related("changed_by")


def can_see_sensitive(user: User) -> bool:
    """Whether the user may see special-category data (disability, GDPR art. 9).

    An explicit permission, granted per user, on top of the role: pages, forms
    and the admin all ask here, so the rule lives in one place. Without it a
    user sees no trace of the data: neither the label nor the value.
    """
    return user.is_authenticated and user.is_active and user.has_perm(SENSITIVE_PERMISSION)


# --- Consent per data flow ------------------------------------------------------------------


def _current_consent_given(flow: str) -> Subquery:
    """Whether the participant's latest decision for the flow is "given" (NULL: never asked)."""
    latest = Consent.objects.filter(participant=OuterRef("pk"), flow=flow).order_by(
        "-decided_on", "-id"
    )
    return Subquery(latest.values("given")[:1])


def participants_with_consent(
    flow: str, queryset: QuerySet[Participant] | None = None
) -> QuerySet[Participant]:
    """The participants whose current decision for the flow is consent given.

    One query: the latest decision per participant is a subquery on the
    `consent_current` index. A withdrawal drops the participant out; never
    asked is no consent.
    """
    if flow not in ConsentFlow.values:
        raise ValueError(f"unknown data flow: {flow!r}")
    queryset = Participant.objects.all() if queryset is None else queryset
    return queryset.alias(current_consent_given=_current_consent_given(flow)).filter(
        current_consent_given=True
    )


def has_consent(participant: Participant, flow: str) -> bool:
    """Whether the participant's current decision for the flow is consent given."""
    return participants_with_consent(flow, Participant.objects.filter(pk=participant.pk)).exists()


def consent_state(participant: Participant) -> dict[str, Consent | None]:
    """Per flow, the current decision (the latest row), or None when never asked."""
    return {item.flow: item.current for item in consent_overview(participant)}


@dataclass(frozen=True)
class FlowConsent:
    """One flow's consent as the participant page shows it."""

    flow: str
    label: str
    history: list[Consent]  # newest first

    @property
    def current(self) -> Consent | None:
        return self.history[0] if self.history else None

    @property
    def state(self) -> str:
        """given, withdrawn (given earlier, not now), refused (never given) or not_asked."""
        current = self.current
        if current is None:
            return "not_asked"
        if current.given:
            return "given"
        return "withdrawn" if any(row.given for row in self.history) else "refused"


def consent_overview(participant: Participant) -> list[FlowConsent]:
    """Every flow with its decisions, newest first, in one query."""
    rows = list(
        Consent.objects.filter(participant=participant)
        .select_related("recorded_by")
        .order_by("-decided_on", "-id")
    )
    return [
        FlowConsent(flow=flow, label=str(label), history=[row for row in rows if row.flow == flow])
        for flow, label in ConsentFlow.choices
    ]


# --- Transfer between units -----------------------------------------------------------------


def can_decide_transfer(user: User, participant: Participant) -> bool:
    """The manager of the participant's unit, or an administrator, decides on moving them."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_role(Role.ADMIN):
        return True
    return (
        user.has_role(Role.MANAGER)
        and user.unit_id is not None
        and user.unit_id == participant.unit_id
    )


def transfers_for_user(user: User) -> QuerySet[TransferRequest]:
    """The transfer requests a user may see: the only way views read them.

    A manager sees the requests about participants of their unit and those
    once asked of it (so that a second manager deciding after the first is
    told what happened); an administrator sees all. A coach sees none, not
    even their own: a stored request would tell them that the person exists
    in another unit. They learn of an approval when the person appears in
    their caseload, where ``participants_for_user`` shows them, with no
    special case, because the person is then in their unit.
    """
    qs = TransferRequest.objects.select_related(
        "participant", "participant__unit", "from_unit", "to_unit", "requested_by", "decided_by"
    )
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.has_role(Role.ADMIN):
        return qs
    if user.has_role(Role.MANAGER) and user.unit_id:
        return qs.filter(Q(participant__unit_id=user.unit_id) | Q(from_unit_id=user.unit_id))
    return qs.none()


def transfers_waiting_for(user: User) -> QuerySet[TransferRequest]:
    """The requests waiting for the user's decision, oldest first.

    Those about participants the user decides on now; a request from the
    unit the person is already in (moved there some other way) waits for
    nobody.
    """
    waiting = (
        transfers_for_user(user)
        .filter(status=TransferStatus.PENDING)
        .exclude(to_unit_id=F("participant__unit_id"))
    )
    if not user.has_role(Role.ADMIN):
        waiting = waiting.filter(participant__unit_id=user.unit_id)
    return waiting.order_by("requested_at", "pk")


def transfer_for_user(user: User, pk: int) -> TransferRequest:
    """One transfer request, or 404 when the user may not see it.

    A refusal is logged naming the participant the request is about, when
    there is such a request: the review sees whose move someone tried to decide.
    """
    try:
        return transfers_for_user(user).get(pk=pk)
    except TransferRequest.DoesNotExist:
        about = TransferRequest.objects.filter(pk=pk).values_list("participant_id", flat=True)
        log_refused(status=404, participant_id=about.first(), user=user)
        raise Http404("No such transfer request.") from None
