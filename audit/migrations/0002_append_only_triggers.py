"""The database itself refuses to change or delete access-log rows.

Whatever the caller (the ORM, raw SQL, a shell), UPDATE and DELETE on
audit_accesslogentry raise. The one exception is retention
(audit.services.purge_before), which permits DELETE for its own transaction:

- PostgreSQL: the trigger lets a DELETE through when the transaction-local
  setting ``audit.purge`` is ``on`` (``set_config('audit.purge', 'on', true)``);
  no superuser is needed, unlike ``session_replication_role``.
- SQLite: no transaction-local settings, so a row in ``audit_purge_permit``,
  inserted and removed inside the purging transaction, plays that part.

TRUNCATE does not fire row triggers; the application never issues it (only
``manage.py flush``, which empties every table, does on PostgreSQL).

Careful on SQLite: a later migration that makes Django rebuild this table
(most AlterField operations) drops these triggers with the old table; it must
run ``install`` again.
"""

from django.db import migrations

POSTGRESQL_INSTALL = """
CREATE OR REPLACE FUNCTION audit_accesslogentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('audit.purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'The access log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_accesslogentry_append_only
    BEFORE UPDATE OR DELETE ON audit_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION audit_accesslogentry_append_only();
"""

POSTGRESQL_REMOVE = """
DROP TRIGGER IF EXISTS audit_accesslogentry_append_only ON audit_accesslogentry;
DROP FUNCTION IF EXISTS audit_accesslogentry_append_only();
"""

SQLITE_INSTALL = [
    "CREATE TABLE IF NOT EXISTS audit_purge_permit (id INTEGER PRIMARY KEY)",
    """
    CREATE TRIGGER audit_accesslogentry_no_update
    BEFORE UPDATE ON audit_accesslogentry
    BEGIN
        SELECT RAISE(ABORT, 'The access log is append-only: UPDATE refused');
    END
    """,
    """
    CREATE TRIGGER audit_accesslogentry_no_delete
    BEFORE DELETE ON audit_accesslogentry
    WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit)
    BEGIN
        SELECT RAISE(ABORT, 'The access log is append-only: DELETE refused');
    END
    """,
]

SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_update",
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_delete",
    "DROP TABLE IF EXISTS audit_purge_permit",
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_INSTALL, None)
    elif vendor == "sqlite":
        for statement in SQLITE_INSTALL:
            schema_editor.execute(statement, None)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REMOVE, None)
    elif vendor == "sqlite":
        for statement in SQLITE_REMOVE:
            schema_editor.execute(statement, None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
