"""Retention (gallring): participants are deleted RETENTION_YEARS after their last entry.

With them goes their whole history (every row that cascades from the
participant: notes, activities, placements and their follow-ups, consents,
...) and the copies in the logs: the access-log rows about them and the
Django admin's log entries of the deleted rows, whose ``object_repr`` holds
names. Access-log rows of any kind older than the cutoff (logins, searches)
go too. Outside the case: expired sessions (a session may hold the
personnummer a user searched for) and django-axes' login records once they
no longer lock anyone out (they hold usernames and addresses; the access log
is the record of logins). What is recorded is counts per model label, never who.
"""

import datetime
import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models, router, transaction
from django.db.models.deletion import Collector
from django.utils import timezone

from audit.models import AccessLogEntry
from audit.services import purge_before
from participants.models import Participant
from privacy.models import RetentionRun
from privacy.selectors import participants_expired

logger = logging.getLogger(__name__)

# Participants per transaction: a first run over a national dataset must not
# become one transaction holding hundreds of thousands of rows.
BATCH_SIZE = 500
# Who the access log names when the nightly task deletes.
RETENTION_USERNAME = "gallring"
PARTICIPANT = Participant._meta.label_lower
ACCESS_LOG = AccessLogEntry._meta.label_lower
ADMIN_LOG = LogEntry._meta.label_lower
SESSIONS = Session._meta.label_lower
AXES_MODELS = (AccessAttempt, AccessFailureLog, AccessLog)
LOGIN_RECORDS = tuple(model._meta.label_lower for model in AXES_MODELS)
# Always in the counts, so a run that deleted nothing still says so.
ALWAYS_COUNTED = (PARTICIPANT, ACCESS_LOG, ADMIN_LOG, SESSIONS, *LOGIN_RECORDS)


@dataclass
class RetentionResult:
    cutoff: datetime.date
    counts: dict[str, int] = field(default_factory=dict)
    run: RetentionRun | None = None


def retention_cutoff(today: datetime.date) -> datetime.date:
    """Participants whose last entry is before this date are deleted."""
    return today - relativedelta(years=settings.RETENTION_YEARS)


def _batches(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    items = iter(ids)
    while batch := list(islice(items, size)):
        yield batch


def _collected_rows(collector: Collector) -> dict[type[models.Model], set]:
    """The primary keys of every row the collector will delete, by model."""
    rows: dict[type[models.Model], set] = {}
    for model, instances in collector.data.items():
        rows.setdefault(model, set()).update(instance.pk for instance in instances)
    for queryset in collector.fast_deletes:
        rows.setdefault(queryset.model, set()).update(queryset.values_list("pk", flat=True))
    return rows


def _admin_log_of(rows: dict[type[models.Model], set]) -> Iterator[models.QuerySet]:
    for model, pks in rows.items():
        content_type = ContentType.objects.get_for_model(model)
        for keys in _batches(sorted(pks), BATCH_SIZE):
            yield LogEntry.objects.filter(
                content_type=content_type, object_id__in=[str(key) for key in keys]
            )


def _collect(participant_ids: list[int]) -> tuple[Collector, dict[type[models.Model], set]]:
    using = router.db_for_write(Participant)
    participants = Participant._base_manager.filter(pk__in=participant_ids)
    collector = Collector(using=using, origin=participants)
    # Everything that cascades, found the way QuerySet.delete() finds it
    # (CaseNote.corrects is RESTRICT: a corrected note goes when its
    # correction goes too, as both belong to the participant).
    collector.collect(participants)
    return collector, _collected_rows(collector)


def _delete_batch(participant_ids: list[int], cutoff: datetime.date, username: str) -> Counter:
    with transaction.atomic():
        # Lock, then look again: an entry written since the selection keeps the person.
        locked = list(
            Participant._base_manager.select_for_update()
            .filter(pk__in=participant_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        expired = list(
            participants_expired(cutoff).filter(pk__in=locked).values_list("pk", flat=True)
        )
        if not expired:
            return Counter()
        collector, rows = _collect(expired)
        counts: Counter = Counter()
        for entries in _admin_log_of(rows):
            counts[ADMIN_LOG] += entries.delete()[0]
        _total, deleted = collector.delete()
        for label, count in deleted.items():
            counts[apps.get_model(label)._meta.label_lower] += count
    return counts


def _count_batch(participant_ids: list[int]) -> Counter:
    """What ``_delete_batch`` would delete, deleting nothing."""
    _collector, rows = _collect(participant_ids)
    counts: Counter = Counter()
    for model, pks in rows.items():
        counts[model._meta.label_lower] += len(pks)
    counts[ADMIN_LOG] += sum(entries.count() for entries in _admin_log_of(rows))
    return counts


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _outside_the_case() -> dict[str, models.QuerySet]:
    """Rows outside the case that are kept only while they are needed, by model label."""
    now = timezone.now()
    # A failed login counts towards a lockout only within the cool-off time.
    locking_since = now - settings.AXES_COOLOFF_TIME
    return {
        SESSIONS: Session.objects.filter(expire_date__lt=now),
        **{
            model._meta.label_lower: model.objects.filter(attempt_time__lt=locking_since)
            for model in AXES_MODELS
        },
    }


def retention_run(
    *,
    today: datetime.date,
    username: str = RETENTION_USERNAME,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> RetentionResult:
    """Delete what has passed its retention; with ``dry_run``, only count it.

    Idempotent: a second run the same day finds nothing and records zeros.
    Each batch is its own transaction, so a run stopped half-way keeps what
    it did and the next run goes on. A real run is recorded as a
    RetentionRun, whose counts are saved after every batch.
    """
    cutoff = retention_cutoff(today)
    counts: Counter = Counter(dict.fromkeys(ALWAYS_COUNTED, 0))
    run = None if dry_run else RetentionRun.objects.create(cutoff=cutoff, counts=dict(counts))
    expired = list(participants_expired(cutoff).values_list("pk", flat=True))
    for batch in _batches(expired, batch_size):
        counts.update(_count_batch(batch) if dry_run else _delete_batch(batch, cutoff, username))
        if run is not None:
            run.counts = dict(sorted(counts.items()))
            run.save(update_fields=["counts"])

    # The access log's rows from before the cutoff, of any kind. Younger rows about
    # a deleted participant stay until they are as old: they name an id that no
    # longer leads to anyone, and only the owner's purge function deletes log rows
    # (audit.database), which takes nothing younger than the retention period.
    logged_before = _start_of(cutoff)
    if dry_run:
        counts[ACCESS_LOG] += AccessLogEntry.objects.filter(at__lt=logged_before).count()
    else:
        counts[ACCESS_LOG] += purge_before(logged_before, username=username)

    for label, rows in _outside_the_case().items():
        counts[label] += rows.count() if dry_run else rows.delete()[0]

    result = RetentionResult(cutoff=cutoff, counts=dict(sorted(counts.items())), run=run)
    if run is not None:
        run.counts = result.counts
        run.finished_at = timezone.now()
        run.save(update_fields=["counts", "finished_at"])
    # Counts only: nothing here names or identifies anyone.
    logger.info(
        "Retention%s: cutoff %s, rows %s: %s",
        " (dry run)" if dry_run else "",
        cutoff.isoformat(),
        "that would be deleted" if dry_run else "deleted",
        json.dumps(result.counts, sort_keys=True),
    )
    return result
