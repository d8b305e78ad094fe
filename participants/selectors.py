from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Role, User
from audit.context import current_request
from audit.models import Action
from audit.services import log_access, log_refused
from participants.models import Participant


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


def participant_for_user(user: User, pk: int) -> Participant:
    """One participant, or 404 when the user may not read them.

    A 404 rather than a 403 so that a record's existence is not disclosed.
    Every call is an access-log row: "view", or "change" when the current
    request is a POST (the view is about to save), or "refused" with the
    participant id asked for.
    """
    try:
        participant = participants_for_user(user).get(pk=pk)
    except Participant.DoesNotExist:
        log_refused(status=404, participant_id=pk, user=user)
        raise Http404("No such participant.") from None
    request = current_request()
    log_access(
        action=Action.CHANGE if request is not None and request.method == "POST" else Action.VIEW,
        participant_id=participant.pk,
        object_type="participant",
        object_id=participant.pk,
        user=user,
    )
    return participant


def can_edit_participant(user: User, participant: Participant) -> bool:
    """Coaches edit their unit's participants; managers only read them."""
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.COACH) and user.unit_id == participant.unit_id
