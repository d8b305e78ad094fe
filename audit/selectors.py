"""Reading the access log for the administrators' review."""

import datetime
import random
from collections.abc import Iterator

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import Role, User
from audit.models import READ_ACTIONS, AccessLogEntry, Action
from participants.models import Participant

# The ids of a month's rows are read from the database in chunks of this many.
SAMPLE_CHUNK = 10_000


def outside_reach(
    user: User | None,
    participant_id: int,
    *,
    unit_and_coach: tuple[int | None, int | None] | None = None,
) -> bool:
    """Whether the participant is, now, outside the user's unit, or outside their
    caseload for anyone but a manager (whose work is the whole unit).

    Judged as a read is logged (``AccessLogEntry.outside_reach``); ``_within_reach``
    is the same rule in SQL, for rows written before that was kept.
    """
    if unit_and_coach is None:
        unit_and_coach = (
            Participant._base_manager.filter(pk=participant_id)
            .values_list("unit_id", "coach_id")
            .first()
        )
    if user is None or unit_and_coach is None or user.unit_id is None:
        return True
    unit_id, coach_id = unit_and_coach
    if unit_id != user.unit_id:
        return True
    return coach_id != user.pk and not user.has_role(Role.MANAGER)


def _within_reach() -> Exists:
    """For rows written before reach was kept: the participant is, today, in the reader's
    unit (as it was then) and either in the reader's caseload or read by a manager."""
    manager = Exists(
        User.objects.filter(pk=OuterRef(OuterRef("user_id")), groups__name=Role.MANAGER)
    )
    return Exists(
        Participant.objects.filter(
            pk=OuterRef("participant_id"), unit__name=OuterRef("unit_name")
        ).filter(Q(coach_id=OuterRef("user_id")) | manager)
    )


def flagged_condition() -> Q:
    """What the monthly review looks at first.

    - A read of a participant outside the reader's unit, or outside their
      caseload for anyone but a manager, as it was when read
      (``audit.services.outside_reach``): a later move or reassignment does not
      flag the work done before it. Rows written before that was kept are
      judged by today's unit and coach, and the reviewer decides.
    - A refused request about a participant: someone asked for a record
      outside their access.
    - A registration that met a participant of another unit.
    """
    read = Q(action__in=READ_ACTIONS, participant_id__isnull=False)
    read_outside = read & (
        Q(outside_reach=True) | (Q(outside_reach__isnull=True) & ~_within_reach())
    )
    refused = Q(action=Action.REFUSED, participant_id__isnull=False)
    return read_outside | refused | Q(action=Action.COLLISION)


def with_flags(entries: QuerySet[AccessLogEntry]) -> QuerySet[AccessLogEntry]:
    """Each row says whether it is flagged, in the same query (one subquery per row shown)."""
    return entries.annotate(
        flagged=Case(
            When(flagged_condition(), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def log_for_review() -> QuerySet[AccessLogEntry]:
    return with_flags(AccessLogEntry.objects.order_by("-at", "-id"))


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of the month and of the next, in Stockholm time."""
    start = month.replace(day=1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(following, datetime.time.min, tzinfo=zone),
    )


def _ids_in_order(entries: QuerySet[AccessLogEntry]) -> Iterator[int]:
    return entries.order_by("id").values_list("id", flat=True).iterator(chunk_size=SAMPLE_CHUNK)


def _sample_seed(month: datetime.date) -> str:
    """The month's seed: reproducible on this server, unpredictable without its key."""
    return salted_hmac("audit.monthly_sample", f"{month:%Y-%m}").hexdigest()


def monthly_sample(month: datetime.date, size: int) -> QuerySet[AccessLogEntry]:
    """A random sample of a month's rows, the same for the same month and size.

    The generator is seeded with the month and a key only the server holds
    (derived from SECRET_KEY), so drawing again (another day, another
    reviewer) gives the same rows and the sample can be checked, but nobody
    can tell from the code which of their own rows will be drawn. The
    rows are the same as long as the month's log is: it is append-only, and a
    month that has ended no longer grows. Memory stays small whatever the
    month's size: positions are drawn first, then the ids are streamed once
    and the drawn positions picked out.
    """
    start, end = month_bounds(month)
    entries = AccessLogEntry.objects.filter(at__gte=start, at__lt=end)
    total = entries.count()
    generator = random.Random(_sample_seed(month))  # noqa: S311 - seeded by a secret, below
    positions = sorted(generator.sample(range(total), min(size, total)))
    chosen: list[int] = []
    wanted = iter(positions)
    next_position = next(wanted, None)
    for position, entry_id in enumerate(_ids_in_order(entries)):
        if next_position is None:
            break
        if position == next_position:
            chosen.append(entry_id)
            next_position = next(wanted, None)
    return with_flags(AccessLogEntry.objects.filter(pk__in=chosen)).order_by("at", "id")
