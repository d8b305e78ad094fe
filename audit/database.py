"""The database's side of the access log's guard: two roles, and the permits of retention.

In production the application connects as a PostgreSQL role that owns
nothing (``DATABASE_APP_ROLE``); migrations run as the owner role, which
owns every table and the log's functions. After every ``migrate`` the owner
grants the application role what it needs and nothing more
(``grant_app_role``): the rows of every table, except the access log and its
tombstones, where it may only INSERT (the log) and SELECT. Sealing and
retention's purges run through the owner's ``SECURITY DEFINER`` functions
(migration 0004), which keep their own limits.

Grants are given here, in Python at ``post_migrate``, rather than once in a
migration: a table a later migration creates gets them too, and the role's
name is the deployment's, not the code's.
"""

from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

from audit.models import AccessLogEntry, AccessLogTombstone

# Read by the triggers: DELETE (purge) and UPDATE of the chain's columns
# (seal) pass only in a transaction that set them, and only for the owner.
PURGE_SETTING = "audit.purge"
# SQLite has no transaction-local settings: a row in this table, inserted and
# removed inside the purging or sealing transaction, plays the same part.
SQLITE_PERMIT_TABLE = "audit_purge_permit"

# What the application's role may call: the owner's functions, with their limits.
APP_FUNCTIONS = (
    "audit_seal_rows(bigint[], text[], bigint, text)",
    "audit_purge_before(timestamptz)",
)
# Django's record of applied migrations: read (``migrate --check``), never written.
MIGRATIONS_TABLE = "django_migrations"


def permit_deletion(cursor: CursorWrapper) -> None:
    """Lift the triggers' refusal (PostgreSQL: for this transaction, and for the owner only)."""
    vendor = cursor.db.vendor
    if vendor == "postgresql":
        cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
    elif vendor == "sqlite":
        cursor.execute(f"INSERT INTO {SQLITE_PERMIT_TABLE} DEFAULT VALUES")


def forbid_deletion(cursor: CursorWrapper) -> None:
    vendor = cursor.db.vendor
    if vendor == "postgresql":
        cursor.execute("SELECT set_config(%s, 'off', true)", [PURGE_SETTING])
    elif vendor == "sqlite":
        cursor.execute(f"DELETE FROM {SQLITE_PERMIT_TABLE}")  # noqa: S608


def set_retention_period(connection: BaseDatabaseWrapper, years: int) -> None:
    """Rewrite the period the purge function keeps rows for (as the owner)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION audit_retention_period() RETURNS interval "
            f"LANGUAGE sql IMMUTABLE AS $$ SELECT interval '{int(years)} years' $$"
        )


def grant_app_role(connection: BaseDatabaseWrapper, role: str) -> None:
    """Give the application's role the rows of every table but the log's, and the log's functions.

    Run as the owner role. The role keeps no privilege on the log beyond
    INSERT and SELECT, whatever was granted before.
    """
    quote = connection.ops.quote_name
    app = quote(role)
    log, tombstones = (
        quote(model._meta.db_table) for model in (AccessLogEntry, AccessLogTombstone)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = quote(cursor.fetchone()[0])
        for statement in (
            f"GRANT USAGE ON SCHEMA {schema} TO {app}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
            f"REVOKE ALL ON {log}, {tombstones}, {quote(MIGRATIONS_TABLE)} FROM {app}",
            f"GRANT SELECT, INSERT ON {log} TO {app}",
            f"GRANT SELECT ON {tombstones}, {quote(MIGRATIONS_TABLE)} TO {app}",
            *(f"GRANT EXECUTE ON FUNCTION {function} TO {app}" for function in APP_FUNCTIONS),
        ):
            cursor.execute(statement)


def after_migrate(using: str = "default", **kwargs: Any) -> None:
    """``post_migrate`` receiver: the retention period, and the grants when a role is named."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    set_retention_period(connection, settings.RETENTION_YEARS)
    if settings.DATABASE_APP_ROLE:
        grant_app_role(connection, settings.DATABASE_APP_ROLE)


def runs_as_owner(connection: BaseDatabaseWrapper) -> bool:
    """Whether this connection's role owns the access log (or is a superuser)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(current_user, relowner, 'MEMBER') FROM pg_class "
            "WHERE oid = to_regclass(%s)",
            [AccessLogEntry._meta.db_table],
        )
        row = cursor.fetchone()
    return bool(row and row[0])
