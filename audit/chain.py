"""The access log's hash chain: a deleted, altered or forged row is found.

A row is written unsealed; ``seal`` then gives the committed unsealed rows,
in the order of their ids, the next places in the chain: each stores the
hash of the row before it and a hash of that one and its own content
(``row_hash``). ``verify`` walks the chain from its first place and
recomputes every hash: a row missing from its place, a link that does not
match, or content that no longer gives its hash is reported. Retention's
purge leaves a tombstone (place and hashes) for each row it deletes, so the
chain stays whole without the row.

Sealing runs after the fact (the worker every minute, retention before it
deletes, ``verify_access_log`` before it checks) instead of in an insert
trigger: a chain built at insert would have to lock every writer of the log
until the longest transaction (an import) commits.

The hash is computed here, in one place, for sealing and for checking. On
PostgreSQL the application's role cannot UPDATE the log: the hashes are
written by ``audit_seal_rows``, a function owned by the owner role, which
accepts them only for unsealed rows and only as the next places after the
chain's head. A wrong hash sent there is itself found by ``verify``.
"""

import datetime
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from heapq import merge

from django.db import connections, router, transaction

from audit.database import forbid_deletion, permit_deletion
from audit.models import AccessLogEntry, AccessLogTombstone

# The place before the first row.
GENESIS = ""
SEAL_BATCH = 5_000
# pg_advisory_xact_lock key: one sealer at a time ("audit" in ASCII).
SEAL_LOCK = 0x6175646974
PROBLEMS_SHOWN = 100
# A row dated this much before the row sealed before it is pointed out: rows
# are sealed as they are committed, so only a transaction open that long, or a
# row slipped in back-dated past the database's guard, gives one.
OUT_OF_ORDER = datetime.timedelta(hours=1)

# The row's content, in this order, is what its hash covers.
CONTENT = (
    "id",
    "at",
    "user_id",
    "username",
    "unit_name",
    "participant_id",
    "action",
    "object_type",
    "object_id",
    "path",
    "method",
    "ip_address",
    "detail",
    "outside_reach",
)


def content_of(entry: AccessLogEntry) -> str:
    values = []
    for name in CONTENT:
        value = getattr(entry, name)
        if isinstance(value, datetime.datetime):
            value = value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
        values.append(value)
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def row_hash(previous_hash: str, entry: AccessLogEntry) -> str:
    return hashlib.sha256(f"{previous_hash}\n{content_of(entry)}".encode()).hexdigest()


def _head(using: str) -> tuple[int, str]:
    """The last place in the chain and its hash, over rows and tombstones."""
    last = (
        AccessLogEntry.objects.using(using)
        .exclude(chain_position=None)
        .order_by("-chain_position")
        .values_list("chain_position", "row_hash")
        .first()
    )
    tomb = (
        AccessLogTombstone.objects.using(using)
        .order_by("-chain_position")
        .values_list("chain_position", "row_hash")
        .first()
    )
    return max(last or (0, GENESIS), tomb or (0, GENESIS))


def _seal_batch(using: str) -> int:
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK])
        position, previous = _head(using)
        head = (position, previous)
        rows = list(
            AccessLogEntry.objects.using(using).filter(row_hash="").order_by("id")[:SEAL_BATCH]
        )
        if not rows:
            return 0
        hashes = []
        for entry in rows:
            previous = row_hash(previous, entry)
            hashes.append(previous)
        ids = [entry.pk for entry in rows]
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT audit_seal_rows(%s::bigint[], %s::text[], %s, %s)", [ids, hashes, *head]
            )
        else:
            _seal_here(cursor, ids, hashes, head)
    return len(rows)


def _seal_here(cursor, ids: list[int], hashes: list[str], head: tuple[int, str]) -> None:
    """What ``audit_seal_rows`` does on PostgreSQL, for SQLite (one role, development)."""
    table = cursor.db.ops.quote_name(AccessLogEntry._meta.db_table)
    position, previous = head
    permit_deletion(cursor)  # SQLite's permit lifts the refusal of UPDATE as well
    try:
        for pk, digest in zip(ids, hashes, strict=True):
            position += 1
            cursor.execute(
                f"UPDATE {table} SET chain_position = %s, previous_hash = %s, row_hash = %s"  # noqa: S608
                " WHERE id = %s AND row_hash = ''",
                [position, previous, digest, pk],
            )
            previous = digest
    finally:
        forbid_deletion(cursor)


def seal(*, using: str | None = None) -> int:
    """Give every committed unsealed row its place in the chain; return how many."""
    using = using or router.db_for_write(AccessLogEntry)
    sealed = 0
    while done := _seal_batch(using):
        sealed += done
    return sealed


@dataclass
class ChainReport:
    rows: int = 0
    tombstones: int = 0
    unsealed: int = 0
    head_position: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    # Not breaks of the chain, but worth a look: rows far out of time order.
    notices: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.problem_count == 0

    def problem(self, text: str) -> None:
        self.problem_count += 1
        if len(self.problems) < PROBLEMS_SHOWN:
            self.problems.append(text)


def _links(using: str) -> Iterator[tuple[int, str, str, AccessLogEntry | None]]:
    """Every place of the chain in order: (place, previous hash, hash, the row or None)."""
    rows = (
        (entry.chain_position, entry.previous_hash, entry.row_hash, entry)
        for entry in AccessLogEntry.objects.using(using)
        .exclude(chain_position=None)
        .order_by("chain_position")
        .iterator(chunk_size=SEAL_BATCH)
    )
    tombstones = (
        (*values, None)
        for values in AccessLogTombstone.objects.using(using)
        .order_by("chain_position")
        .values_list("chain_position", "previous_hash", "row_hash")
        .iterator(chunk_size=SEAL_BATCH)
    )
    return merge(rows, tombstones, key=lambda link: link[0])


def verify(*, using: str | None = None) -> ChainReport:
    """Walk the chain from its first place and recompute every hash."""
    using = using or router.db_for_read(AccessLogEntry)
    report = ChainReport()
    expected_position, expected_previous = 1, GENESIS
    latest: datetime.datetime | None = None
    for position, previous, digest, entry in _links(using):
        if position != expected_position:
            report.problem(
                f"places {expected_position}–{position - 1} are missing: rows deleted "
                "without retention"
                if position > expected_position
                else f"place {position} is taken twice"
            )
        elif previous != expected_previous:
            report.problem(f"place {position}: the link to the row before does not match")
        if entry is None:
            report.tombstones += 1
        else:
            report.rows += 1
            if row_hash(previous, entry) != digest:
                report.problem(
                    f"place {position} (row {entry.pk}): the content does not give its hash: "
                    "altered or forged"
                )
            late = latest is not None and entry.at < latest - OUT_OF_ORDER
            if late and len(report.notices) < PROBLEMS_SHOWN:
                report.notices.append(
                    f"place {position} (row {entry.pk}) is dated {latest - entry.at} before "
                    "a row sealed earlier: a transaction open that long, or a row slipped "
                    "in back-dated"
                )
            latest = entry.at if latest is None else max(latest, entry.at)
        expected_position, expected_previous = position + 1, digest
    report.head_position, report.head_hash = expected_position - 1, expected_previous
    report.unsealed = AccessLogEntry.objects.using(using).filter(row_hash="").count()
    return report
