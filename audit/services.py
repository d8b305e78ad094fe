"""Writing the access log, and the single way rows ever leave it (retention).

What a row holds: who (the user, their username and their unit at the time),
whom (a participant id, nothing else about the person), what (an action and
the kind and id of the object), when, and from where (path without query
string, method, client address). ``detail`` carries counts and kinds, never
a value a user typed or a field's content.
"""

import datetime
import ipaddress
from collections.abc import Iterable
from itertools import islice

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connections, router, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.middleware import client_ip_address
from accounts.models import User
from audit.chain import seal
from audit.context import current_request, current_request_state
from audit.database import forbid_deletion, permit_deletion
from audit.models import READ_ACTIONS, AccessLogEntry, AccessLogTombstone, Action
from audit.selectors import outside_reach

BULK_BATCH = 2_000
# Who the log names when a management command acts: the server's operator.
MANAGE_PY = "manage.py"


def _fit(value: str, field_name: str) -> str:
    return value[: AccessLogEntry._meta.get_field(field_name).max_length]


def _ip_address(request: HttpRequest) -> str | None:
    address = client_ip_address(request)
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        # Not an address (a misconfigured proxy): better none than a failed request.
        return None


def _who_and_where(
    user: User | None,
    username: str,
    request: HttpRequest | None,
    *,
    user_from_request: bool = True,
) -> dict[str, object]:
    """The columns every row of one event shares."""
    if request is None:
        request = current_request()
    if user is None and request is not None and user_from_request:
        user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    columns: dict[str, object] = {
        "user": user,
        "username": _fit(user.get_username() if user is not None else username, "username"),
        "unit_name": _fit(user.unit.name, "unit_name") if user is not None and user.unit_id else "",
        "path": "",
        "method": "",
        "ip_address": None,
    }
    if request is not None:
        columns["path"] = _fit(request.path, "path")
        columns["method"] = _fit(request.method or "", "method")
        columns["ip_address"] = _ip_address(request)
    return columns


def log_access(
    *,
    action: str,
    participant_id: int | None = None,
    object_type: str = "",
    object_id: int | None = None,
    detail: str = "",
    user: User | None = None,
    username: str = "",
    request: HttpRequest | None = None,
    unit_and_coach: tuple[int | None, int | None] | None = None,
) -> AccessLogEntry:
    """Write one row. The user and the request default to the current request's.

    ``username`` names the actor when there is no user: the one who tried to
    log in, or ``manage.py`` for a management command. ``unit_and_coach``:
    the participant's unit and coach ids, when the caller has the participant
    at hand (spares ``outside_reach`` its query).
    """
    entry = AccessLogEntry(
        action=action,
        participant_id=participant_id,
        object_type=_fit(object_type, "object_type"),
        object_id=object_id,
        detail=_fit(detail, "detail"),
        # A failed login is someone not logged in, even on a page a user is logged in to.
        **_who_and_where(user, username, request, user_from_request=action != Action.LOGIN_FAILED),
    )
    if action in READ_ACTIONS and participant_id is not None:
        entry.outside_reach = outside_reach(
            entry.user, participant_id, unit_and_coach=unit_and_coach
        )
    entry.save()
    return entry


def log_bulk_change(
    *,
    participant_ids: Iterable[int],
    summary: str,
    detail: str,
    object_type: str = "participant",
    user: User | None = None,
    username: str = "",
    request: HttpRequest | None = None,
) -> int:
    """A write that touched many participants at once (import, update()).

    One row with the summary (counts), and one row per participant with the
    same who, when and where, written with bulk inserts. Returns the number of
    participant rows.
    """
    shared = _who_and_where(user, username, request)
    AccessLogEntry(
        action=Action.BULK_CHANGE,
        object_type=_fit(object_type, "object_type"),
        detail=_fit(summary, "detail"),
        **shared,
    ).save()
    detail = _fit(detail, "detail")
    ids = iter(participant_ids)
    written = 0
    while batch := list(islice(ids, BULK_BATCH)):
        AccessLogEntry.objects.bulk_create(
            [
                AccessLogEntry(
                    action=Action.BULK_CHANGE,
                    participant_id=participant_id,
                    object_type="participant",
                    object_id=participant_id,
                    detail=detail,
                    **shared,
                )
                for participant_id in batch
            ]
        )
        written += len(batch)
    return written


# The largest id a row can hold (a BigIntegerField): an id typed into a form may be larger.
MAX_OBJECT_ID = 2**63 - 1


def _storable_id(value: int | None) -> int | None:
    return value if value is not None and 0 <= value <= MAX_OBJECT_ID else None


def log_refused(
    *,
    status: int | None = None,
    detail: str = "",
    participant_id: int | None = None,
    object_type: str = "",
    object_id: int | None = None,
    user: User | None = None,
) -> None:
    """A refused request: the status (or a detail saying what was refused), and the
    participant and the object asked for when known.

    ``participant_id`` alone names the participant as the object asked for; a
    refusal of something else of theirs (a follow-up) gives ``object_type``
    and ``object_id`` too. Ids come as asked for, which may name no one. Inside
    a transaction (a view under ``transaction.atomic`` that then raises
    Http404 rolls back), the row would vanish with it: it is handed to the
    access-log middleware, which writes it after the response, outside.
    """
    participant_id = _storable_id(participant_id)
    if not object_type and participant_id is not None:
        object_type, object_id = "participant", participant_id
    row = {
        "action": Action.REFUSED,
        "participant_id": participant_id,
        "object_type": object_type,
        "object_id": _storable_id(object_id),
        "detail": detail or f"HTTP {status}",
        "user": user,
    }
    state = current_request_state()
    if state is not None and transaction.get_connection().in_atomic_block:
        state.pending_refusals.append(row)
    else:
        log_access(**row)
    if state is not None:
        state.refusal_logged = True


def note_participant_in_reach(participant_id: int) -> None:
    """The access helper found this participant within the user's reach.

    If the request is then refused all the same (a 403: the user may read the
    case but not do this; a 404 for something of the case's that is not
    there), the middleware's refusal row names the participant, so a review
    of that person's log finds the attempt.
    """
    state = current_request_state()
    if state is not None:
        state.participant_id = participant_id


def log_change(**row: object) -> None:
    """A row about a record a POST is about to change, logged as a change only if saved.

    Within a request the row waits for the response: the access-log
    middleware writes it as "change" when something was saved and as "view"
    when the POST was refused (a form error, a rule, a missing permission).
    Outside a request it is a change.
    """
    state = current_request_state()
    if state is None:
        log_access(action=Action.CHANGE, **row)
    else:
        state.pending_changes.append(row)


def log_pending_changes() -> None:
    """Write the rows ``log_change`` kept back, now that the request's writes are known."""
    state = current_request_state()
    if state is None:
        return
    rows, state.pending_changes = state.pending_changes, []
    for row in rows:
        log_access(action=Action.CHANGE if state.wrote else Action.VIEW, **row)


def note_write(sender: type, **kwargs: object) -> None:
    """Signal receiver: a row of the case was saved or deleted during this request."""
    state = current_request_state()
    if state is not None and sender._meta.app_label not in NOT_CASE_DATA:
        state.wrote = True


# Saved during a request without being a change of a case: the log itself,
# sessions, logins and their limits, Django's own tables.
NOT_CASE_DATA = frozenset({"audit", "sessions", "axes", "admin", "contenttypes", "otp_totp"})


def log_pending_refusals() -> None:
    """Write the refusals ``log_refused`` kept back, now that the view's transaction is over."""
    state = current_request_state()
    if state is None:
        return
    rows, state.pending_refusals = state.pending_refusals, []
    for row in rows:
        log_access(**row)


# --- Retention: the only deletion --------------------------------------------------


def _retention_start() -> datetime.datetime:
    return timezone.now() - relativedelta(years=settings.RETENTION_YEARS)


def purge_before(cutoff: datetime.datetime, *, username: str = "") -> int:
    """Delete the rows logged before ``cutoff``; return how many. For retention only.

    Only rows older than the retention period go: a later cutoff is refused
    (here with a clear message, and on PostgreSQL again by the owner's
    function, which is what holds against the application's own role). The
    rows are sealed first, and each deleted row leaves its tombstone in the
    chain. The purge itself is logged (a count and the cutoff).
    """
    if cutoff > _retention_start():
        raise ValueError(
            f"The access log keeps its rows for {settings.RETENTION_YEARS} years: "
            f"nothing from after {_retention_start():%Y-%m-%d} is purged."
        )
    using = router.db_for_write(AccessLogEntry)
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        seal(using=using)
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT audit_purge_before(%s)", [connection.ops.adapt_datetimefield_value(cutoff)]
            )
            deleted = cursor.fetchone()[0]
        else:
            deleted = _purge_here(cursor, Q(at__lt=cutoff))
        log_access(
            action=Action.BULK_CHANGE,
            object_type="accesslogentry",
            detail=f"retention: {deleted} access-log rows from before {cutoff:%Y-%m-%d} deleted",
            username=username,
        )
    return deleted


def _purge_here(cursor: CursorWrapper, rows: Q) -> int:
    """What the owner's purge function does on PostgreSQL, for SQLite (one role, development)."""
    gone = list(
        AccessLogEntry.objects.filter(rows)
        .exclude(row_hash="")
        .values_list("pk", "chain_position", "previous_hash", "row_hash")
    )
    AccessLogTombstone.objects.bulk_create(
        AccessLogTombstone(chain_position=position, previous_hash=previous, row_hash=digest)
        for _pk, position, previous, digest in gone
    )
    table = cursor.db.ops.quote_name(AccessLogEntry._meta.db_table)
    pks = [pk for pk, *_chain in gone]
    permit_deletion(cursor)
    try:
        for start in range(0, len(pks), 500):
            chunk = pks[start : start + 500]
            cursor.execute(
                f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(chunk))})",  # noqa: S608
                chunk,
            )
    finally:
        forbid_deletion(cursor)
    return len(pks)
