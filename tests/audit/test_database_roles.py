"""On PostgreSQL the application's role cannot erase the access log (audit.database).

The test database is the owner's (the test runner's); a role of the
application's kind is given the grants every ``migrate`` gives
``DATABASE_APP_ROLE``, and each attack runs over its own connection.
"""

import datetime

import psycopg2
import pytest
from django.core.checks import Warning
from django.db import connection
from django.utils import timezone

from audit.chain import seal, verify
from audit.checks import app_role_check
from audit.database import grant_app_role
from audit.models import AccessLogEntry, AccessLogTombstone, Action
from audit.services import log_access
from tests.factories import ParticipantFactory

# Serialized: the tests after these find the content types and groups the migrations made.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

APP_ROLE = "stockholmsjobb_test_app"
TABLE = AccessLogEntry._meta.db_table
TOMBSTONES = AccessLogTombstone._meta.db_table
COLUMNS = "username, unit_name, action, object_type, path, method, at, detail"


@pytest.fixture
def app(postgres):
    """A connection as a role that owns nothing, with the application's grants."""
    with connection.cursor() as cursor:
        # Roles belong to the server, not the database: made once, kept.
        cursor.execute(
            f"DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
    grant_app_role(connection, APP_ROLE)
    settings = connection.settings_dict
    app = psycopg2.connect(
        dbname=settings["NAME"],
        user=APP_ROLE,
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )
    app.autocommit = True
    yield app.cursor()
    app.close()


@pytest.fixture
def logged() -> list[AccessLogEntry]:
    # No users: a transactional test starts without the role groups they need.
    rows = [
        log_access(action=Action.LOGIN, username="coach1"),
        log_access(action=Action.VIEW, participant_id=ParticipantFactory().pk, username="coach1"),
    ]
    seal()
    return rows


def insert(cursor, *, at: str = "now()", username: str = "app") -> None:
    cursor.execute(
        f"INSERT INTO {TABLE} ({COLUMNS}) VALUES (%s, '', 'login', '', '', '', {at}, '')",  # noqa: S608
        [username],
    )


def test_the_app_role_writes_and_reads_the_log(app, logged):
    insert(app, username="written-by-app")

    app.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608
    assert app.fetchone()[0] == 3
    assert AccessLogEntry.objects.filter(username="written-by-app").exists()


# The table names are the models' own.
ATTACKS = {
    "delete": f"DELETE FROM {TABLE}",  # noqa: S608
    "update": f"UPDATE {TABLE} SET detail = 'x'",  # noqa: S608
    "truncate": f"TRUNCATE {TABLE}",
    "the trigger's setting, then delete": (
        f"SELECT set_config('audit.purge', 'on', false); DELETE FROM {TABLE}"  # noqa: S608
    ),
    "the seal's setting, then update": (
        f"SELECT set_config('audit.seal', 'on', false); UPDATE {TABLE} SET detail = 'x'"  # noqa: S608
    ),
    "disable the trigger": f"ALTER TABLE {TABLE} DISABLE TRIGGER USER",
    "drop the trigger": f"DROP TRIGGER audit_accesslogentry_append_only ON {TABLE}",
    "replace the trigger's function": (
        "CREATE OR REPLACE FUNCTION audit_accesslogentry_append_only() RETURNS trigger "
        "AS $$ BEGIN RETURN OLD; END $$ LANGUAGE plpgsql"
    ),
    "longer retention period": (
        "CREATE OR REPLACE FUNCTION audit_retention_period() RETURNS interval "
        "LANGUAGE sql AS $$ SELECT interval '0 days' $$"
    ),
    "replication role": "SET session_replication_role = replica",
    "drop the table": f"DROP TABLE {TABLE}",
    "take the table": f"ALTER TABLE {TABLE} OWNER TO {APP_ROLE}",
    "write a tombstone": (
        f"INSERT INTO {TOMBSTONES} (chain_position, previous_hash, row_hash, purged_at) "  # noqa: S608
        "VALUES (99, '', '', now())"
    ),
    "delete tombstones": f"DELETE FROM {TOMBSTONES}",  # noqa: S608
    "forget a migration": "DELETE FROM django_migrations",
    "the purges' own deletion, called directly": "SELECT audit_bury(ARRAY[1, 2]::bigint[])",
}


@pytest.mark.parametrize("statement", ATTACKS.values(), ids=ATTACKS.keys())
def test_the_app_role_cannot_erase_or_unguard_the_log(app, logged, statement):
    with pytest.raises(psycopg2.Error):
        app.execute(statement)

    assert AccessLogEntry.objects.count() == 2
    assert verify().intact


def test_the_app_role_cannot_back_date_a_row(app, logged):
    with pytest.raises(psycopg2.Error, match="rows of the present only"):
        insert(app, at="now() - interval '30 days'")

    insert(app, at="now() - interval '2 seconds'")
    assert AccessLogEntry.objects.count() == 3


def test_a_row_the_app_role_writes_with_its_own_chain_is_sealed_like_any_other(app, logged):
    app.execute(
        f"INSERT INTO {TABLE} ({COLUMNS}, chain_position, previous_hash, row_hash)"  # noqa: S608
        " VALUES ('app', '', 'login', '', '', '', now(), '', 3, 'x', %s)",
        ["0" * 64],
    )
    forged = AccessLogEntry.objects.get(username="app")
    assert (forged.chain_position, forged.row_hash) == (None, "")

    seal()
    assert verify().intact


def test_the_app_role_purges_only_rows_past_the_retention_period(app):
    now = timezone.now()
    old = AccessLogEntry.objects.create(
        action=Action.LOGIN, username="aged", at=now - datetime.timedelta(days=3000)
    )
    recent = log_access(action=Action.LOGIN, username="coach1")
    seal()

    with pytest.raises(psycopg2.Error, match="keeps its rows for 5 years"):
        app.execute("SELECT audit_purge_before(now())")
    app.execute("SELECT audit_purge_before(now() - interval '6 years')")

    assert app.fetchone()[0] == 1
    assert list(AccessLogEntry.objects.values_list("pk", flat=True)) == [recent.pk]
    assert AccessLogTombstone.objects.get().chain_position == 1
    assert not AccessLogEntry.objects.filter(pk=old.pk).exists()
    assert verify().intact


def test_deleting_a_participant_does_not_let_the_app_role_erase_the_rows_about_them(app):
    participant = ParticipantFactory()
    log_access(action=Action.VIEW, participant_id=participant.pk, username="coach1")
    seal()
    app.execute(
        "DELETE FROM participants_consent WHERE participant_id = %s;"
        "DELETE FROM participants_participant WHERE id = %s",
        [participant.pk, participant.pk],
    )

    for statement in (
        f"DELETE FROM {TABLE} WHERE participant_id = %s",  # noqa: S608
        "SELECT audit_purge_before(now()) WHERE %s > 0",
    ):
        with pytest.raises(psycopg2.Error):
            app.execute(statement, [participant.pk])
    assert AccessLogEntry.objects.filter(participant_id=participant.pk).count() == 1
    assert verify().intact


def test_the_app_role_can_seal_only_at_the_chain_s_head(app, logged):
    log_access(action=Action.LOGOUT, username="coach1")
    fresh = AccessLogEntry.objects.get(action=Action.LOGOUT)
    sealed, head = AccessLogEntry.objects.filter(chain_position__in=[1, 2]).order_by("id")

    for ids, place, digest in (
        ([fresh.pk], 1, sealed.row_hash),  # not the head: rewriting from place 2
        ([sealed.pk], 2, head.row_hash),  # a sealed row again
    ):
        with pytest.raises(psycopg2.Error):
            app.execute(
                "SELECT audit_seal_rows(%s::bigint[], %s::text[], %s, %s)",
                [ids, ["a" * 64], place, digest],
            )
    assert verify().intact


def test_deployment_check_warns_when_the_application_owns_the_log(postgres, settings):
    settings.DEBUG = False
    [warning] = app_role_check()
    assert isinstance(warning, Warning) and warning.id == "audit.W001"

    settings.DEBUG = True
    assert app_role_check() == []
