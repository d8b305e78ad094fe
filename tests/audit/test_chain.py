"""The access log's hash chain finds a row deleted, altered or forged (audit.chain)."""

import datetime
import itertools
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.chain import GENESIS, row_hash, seal, verify
from audit.models import AccessLogEntry, AccessLogTombstone, Action
from audit.services import log_access, purge_before
from audit.tasks import seal_access_log_task

pytestmark = pytest.mark.django_db

TABLE = AccessLogEntry._meta.db_table


@contextmanager
def tampering():
    """What only the database's owner or a superuser can do: write past the triggers."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("INSERT INTO audit_purge_permit DEFAULT VALUES")
        yield cursor
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM audit_purge_permit")


@pytest.fixture
def logged(coach, participant) -> list[AccessLogEntry]:
    rows = [
        log_access(action=Action.LOGIN, user=coach),
        log_access(action=Action.VIEW, participant_id=participant.pk, user=coach),
        log_access(action=Action.VIEW, participant_id=participant.pk, user=coach),
        log_access(action=Action.LOGOUT, user=coach),
    ]
    assert seal() == len(rows)
    return rows


def test_sealing_chains_the_rows_in_the_order_they_were_written(logged):
    sealed = list(AccessLogEntry.objects.order_by("id"))
    assert [row.chain_position for row in sealed] == [1, 2, 3, 4]
    assert sealed[0].previous_hash == GENESIS
    for before, after in itertools.pairwise(sealed):
        assert after.previous_hash == before.row_hash
        assert after.row_hash == row_hash(before.row_hash, after)
    report = verify()
    assert report.intact
    assert (report.rows, report.unsealed, report.head_position) == (4, 0, 4)
    assert report.head_hash == sealed[-1].row_hash


def test_sealing_twice_seals_only_what_was_written_since(logged, coach):
    assert seal() == 0
    log_access(action=Action.LOGIN, user=coach)
    assert verify().unsealed == 1

    assert seal() == 1
    assert AccessLogEntry.objects.order_by("-id").first().chain_position == 5
    assert verify().intact


def test_a_row_of_any_text_and_address_gives_the_same_hash_when_checked(coach):
    coach.username = "åsa.öberg"
    log_access(
        action=Action.SEARCH, user=coach, detail='sökning: 1 träff — “citat” ✓ \\ " \n radbrytning'
    )
    entry = log_access(action=Action.LOGIN_FAILED, username="x" * 150)
    with tampering() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET ip_address = %s WHERE id = %s",  # noqa: S608
            ["2001:db8::1", entry.pk],
        )
    seal()
    assert verify().intact


def test_an_altered_row_is_found(logged):
    with tampering() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET username = 'someone-else' WHERE id = %s",  # noqa: S608
            [logged[1].pk],
        )

    report = verify()

    assert not report.intact
    assert report.problems == [
        f"place 2 (row {logged[1].pk}): the content does not give its hash: altered or forged"
    ]


def test_an_altered_row_with_a_recomputed_hash_breaks_the_next_link(logged):
    altered = AccessLogEntry.objects.get(pk=logged[1].pk)
    altered.username = "someone-else"
    with tampering() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET username = %s, row_hash = %s WHERE id = %s",  # noqa: S608
            [altered.username, row_hash(altered.previous_hash, altered), altered.pk],
        )

    assert verify().problems == ["place 3: the link to the row before does not match"]


def test_a_deleted_row_is_found(logged):
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [logged[2].pk])  # noqa: S608

    assert verify().problems == ["places 3–3 are missing: rows deleted without retention"]


def test_the_oldest_rows_deleted_are_found(logged):
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id IN (%s, %s)", [logged[0].pk, logged[1].pk])  # noqa: S608

    assert verify().problems == ["places 1–2 are missing: rows deleted without retention"]


def test_a_forged_row_slipped_into_the_chain_is_found(logged):
    head = AccessLogEntry.objects.get(pk=logged[-1].pk)
    with tampering() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (username, unit_name, action, object_type, path, method, at,"  # noqa: S608
            " detail, chain_position, previous_hash, row_hash)"
            " VALUES ('coach1', '', 'login', '', '', '', %s, '', 5, %s, %s)",
            [timezone.now() - datetime.timedelta(days=30), head.row_hash, "0" * 64],
        )

    [problem] = verify().problems
    assert problem.startswith("place 5 (row ")
    assert problem.endswith("altered or forged")


def test_a_row_slipped_in_back_dated_before_the_seal_is_pointed_out(logged):
    with tampering() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (username, unit_name, action, object_type, path, method, at,"  # noqa: S608
            " detail, previous_hash, row_hash)"
            " VALUES ('x', '', 'view', '', '', '', %s, '', '', '')",
            [timezone.now() - datetime.timedelta(days=90)],
        )
    seal()

    report = verify()

    assert report.intact  # its hash is right: it was sealed as it came
    [notice] = report.notices
    assert notice.startswith("place 5 (row ")
    assert "89 days" in notice
    out = StringIO()
    call_command("verify_access_log", stdout=out)
    assert "Out of time order: place 5" in out.getvalue()


def test_rows_in_time_order_give_no_notice(logged):
    assert verify().notices == []


def test_retention_leaves_tombstones_and_the_chain_intact(coach):
    now = timezone.now()
    old = [
        AccessLogEntry.objects.create(
            action=Action.LOGIN, username="aged", at=now - datetime.timedelta(days=3000)
        )
        for _ in range(2)
    ]
    log_access(action=Action.LOGIN, user=coach)

    assert purge_before(now - datetime.timedelta(days=2000)) == 2

    tombstones = list(AccessLogTombstone.objects.values_list("chain_position", flat=True))
    assert tombstones == [1, 2]
    assert not AccessLogEntry.objects.filter(pk__in=[row.pk for row in old]).exists()
    seal()
    report = verify()
    assert report.intact
    assert (report.rows, report.tombstones) == (2, 2)


def test_tombstones_cannot_be_changed_or_deleted(coach):
    AccessLogEntry.objects.create(
        action=Action.LOGIN, username="aged", at=timezone.now() - datetime.timedelta(days=3000)
    )
    purge_before(timezone.now() - datetime.timedelta(days=2000))
    table = AccessLogTombstone._meta.db_table
    for statement in (f"UPDATE {table} SET row_hash = ''", f"DELETE FROM {table}"):  # noqa: S608
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AccessLogTombstone.objects.count() == 1


def test_the_command_prints_the_head_and_fails_on_a_broken_chain(logged):
    out = StringIO()
    call_command("verify_access_log", stdout=out)
    head = AccessLogEntry.objects.get(pk=logged[-1].pk)
    assert "4 rows and 0 tombstones checked" in out.getvalue()
    assert f"Head: place 4, hash {head.row_hash}" in out.getvalue()
    assert "The chain is intact." in out.getvalue()

    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [logged[1].pk])  # noqa: S608
    err = StringIO()
    with pytest.raises(CommandError, match="broken in 1 places"):
        call_command("verify_access_log", "--no-seal", stdout=StringIO(), stderr=err)
    assert "places 2–2 are missing" in err.getvalue()


def test_the_worker_seals_every_minute(settings, coach):
    [entry] = [
        schedule
        for schedule in settings.BEAT_SCHEDULE.values()
        if schedule["task"] == "audit.tasks.seal_access_log_task"
    ]
    assert entry["crontab"] == {"minute": "*"}
    log_access(action=Action.LOGIN, user=coach)

    assert seal_access_log_task.delay().get() == 1
    assert verify().unsealed == 0
