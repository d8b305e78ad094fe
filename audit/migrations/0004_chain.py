"""The chain's columns, tombstones, and the database's own guard of the access log.

PostgreSQL, replacing 0002's trigger:
- UPDATE is refused, except sealing: with ``audit.seal`` on in the
  transaction and the table owner's rights (``audit_seal_rows``), the chain's
  columns of an unsealed row are set once and its content is kept as it was.
- DELETE is refused, except retention: with ``audit.purge`` on and the
  owner's rights (``audit_purge_before``).
  The application's role, which owns nothing (``audit.database``), can set
  those settings but has neither the rights nor UPDATE or DELETE privileges.
- INSERT clears the chain's columns (only sealing sets them) and refuses, for
  anyone but the owner, a time more than five minutes from the database's
  clock: no back-dated row.
- The functions run as their owner (``SECURITY DEFINER``) and check their
  own limits: sealing only as the next places after the chain's head,
  purging only rows older than the retention period
  (``audit_retention_period()``, rewritten from ``RETENTION_YEARS`` after
  every migrate), each deleted row leaving its tombstone.

SQLite (development, one role): the same refusals, lifted while a row is in
``audit_purge_permit``; the table rebuilt here loses its triggers, so they
are put back.
"""

import importlib

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

previous = importlib.import_module("audit.migrations.0002_append_only_triggers")

POSTGRESQL_INSTALL = """
CREATE OR REPLACE FUNCTION audit_is_owner(relation oid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = relation), 'MEMBER')
$$;

CREATE OR REPLACE FUNCTION audit_retention_period() RETURNS interval
LANGUAGE sql IMMUTABLE AS $$ SELECT interval '5 years' $$;

CREATE OR REPLACE FUNCTION audit_accesslogentry_append_only() RETURNS trigger AS $$
DECLARE
    sealed audit_accesslogentry;
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('audit.purge', true) = 'on'
            AND audit_is_owner(TG_RELID) THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND current_setting('audit.seal', true) = 'on'
            AND audit_is_owner(TG_RELID) AND OLD.row_hash = '' THEN
        -- Sealing sets the chain's columns once; the content stays as it was.
        sealed := OLD;
        sealed.chain_position := NEW.chain_position;
        sealed.previous_hash := NEW.previous_hash;
        sealed.row_hash := NEW.row_hash;
        RETURN sealed;
    END IF;
    RAISE EXCEPTION 'The access log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_accesslogentry_on_insert() RETURNS trigger AS $$
BEGIN
    -- Only sealing puts a row in the chain.
    NEW.chain_position := NULL;
    NEW.previous_hash := '';
    NEW.row_hash := '';
    IF NOT audit_is_owner(TG_RELID)
            AND abs(extract(epoch FROM NEW.at - clock_timestamp())) > 300 THEN
        RAISE EXCEPTION 'The access log takes rows of the present only: % refused', NEW.at;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_accesslogentry_on_insert
    BEFORE INSERT ON audit_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION audit_accesslogentry_on_insert();

CREATE OR REPLACE FUNCTION audit_accesslogtombstone_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Access-log tombstones are kept: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_accesslogtombstone_append_only
    BEFORE UPDATE OR DELETE ON audit_accesslogtombstone
    FOR EACH ROW EXECUTE FUNCTION audit_accesslogtombstone_append_only();

CREATE OR REPLACE FUNCTION audit_seal_rows(
    ids bigint[], hashes text[], head_position bigint, head_hash text
) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    place bigint;
    previous text;
    sealed bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(418464221556);
    SELECT links.place, links.hash INTO place, previous FROM (
        SELECT chain_position AS place, row_hash AS hash FROM audit_accesslogentry
            WHERE chain_position IS NOT NULL
        UNION ALL
        SELECT chain_position, row_hash FROM audit_accesslogtombstone
    ) AS links ORDER BY links.place DESC LIMIT 1;
    IF place IS NULL THEN
        place := 0;
        previous := '';
    END IF;
    IF place <> head_position OR previous <> head_hash THEN
        RAISE EXCEPTION 'The chain''s head is not the one given: seal again';
    END IF;
    IF coalesce(cardinality(ids), 0) <> coalesce(cardinality(hashes), 0) THEN
        RAISE EXCEPTION 'As many hashes as rows are needed';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(hashes) AS given(hash) WHERE given.hash !~ '^[0-9a-f]{64}$') THEN
        RAISE EXCEPTION 'Only SHA-256 hashes are taken';
    END IF;
    PERFORM set_config('audit.seal', 'on', true);
    UPDATE audit_accesslogentry AS entry
        SET chain_position = place + given.n,
            previous_hash = CASE WHEN given.n = 1 THEN previous ELSE hashes[given.n - 1] END,
            row_hash = given.hash
        FROM unnest(ids, hashes) WITH ORDINALITY AS given(id, hash, n)
        WHERE entry.id = given.id AND entry.row_hash = '';
    GET DIAGNOSTICS sealed = ROW_COUNT;
    IF sealed <> coalesce(cardinality(ids), 0) THEN
        RAISE EXCEPTION 'Rows missing or sealed already: % of % sealable', sealed, cardinality(ids);
    END IF;
    PERFORM set_config('audit.seal', 'off', true);
    RETURN coalesce(cardinality(ids), 0);
END;
$$;

-- The one way rows leave: each leaves its tombstone. Called by the purge only.
CREATE OR REPLACE FUNCTION audit_bury(ids bigint[]) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    deleted bigint;
BEGIN
    PERFORM set_config('audit.purge', 'on', true);
    WITH gone AS (
        DELETE FROM audit_accesslogentry WHERE id = ANY(ids) AND row_hash <> ''
        RETURNING chain_position, previous_hash, row_hash
    )
    INSERT INTO audit_accesslogtombstone (chain_position, previous_hash, row_hash, purged_at)
        SELECT chain_position, previous_hash, row_hash, now() FROM gone;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    PERFORM set_config('audit.purge', 'off', true);
    RETURN deleted;
END;
$$;

CREATE OR REPLACE FUNCTION audit_purge_before(cutoff timestamptz) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    IF cutoff > now() - audit_retention_period() THEN
        RAISE EXCEPTION 'The access log keeps its rows for %: nothing from after % is purged',
            audit_retention_period(), now() - audit_retention_period();
    END IF;
    RETURN audit_bury(ARRAY(SELECT id FROM audit_accesslogentry WHERE at < cutoff));
END;
$$;

REVOKE ALL ON FUNCTION audit_seal_rows(bigint[], text[], bigint, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_purge_before(timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_bury(bigint[]) FROM PUBLIC;
"""

POSTGRESQL_REMOVE = """
DROP FUNCTION IF EXISTS audit_purge_before(timestamptz);
DROP FUNCTION IF EXISTS audit_bury(bigint[]);
DROP FUNCTION IF EXISTS audit_seal_rows(bigint[], text[], bigint, text);
DROP TRIGGER IF EXISTS audit_accesslogtombstone_append_only ON audit_accesslogtombstone;
DROP FUNCTION IF EXISTS audit_accesslogtombstone_append_only();
DROP TRIGGER IF EXISTS audit_accesslogentry_on_insert ON audit_accesslogentry;
DROP FUNCTION IF EXISTS audit_accesslogentry_on_insert();
DROP FUNCTION IF EXISTS audit_retention_period();
"""

SQLITE_INSTALL = [
    "CREATE TABLE IF NOT EXISTS audit_purge_permit (id INTEGER PRIMARY KEY)",
    *(
        f"""
        CREATE TRIGGER {table}_no_{operation.lower()}
        BEFORE {operation} ON {table}
        WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit)
        BEGIN
            SELECT RAISE(ABORT, 'The access log is append-only: {operation} refused');
        END
        """  # noqa: S608 - the names are the two tables above
        for table in ("audit_accesslogentry", "audit_accesslogtombstone")
        for operation in ("UPDATE", "DELETE")
    ),
]

SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {table}_no_{operation}"
    for table in ("audit_accesslogentry", "audit_accesslogtombstone")
    for operation in ("update", "delete")
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # The append-only function is replaced in place: 0002's trigger calls it.
        schema_editor.execute(POSTGRESQL_INSTALL, None)
    elif vendor == "sqlite":
        for statement in SQLITE_REMOVE + SQLITE_INSTALL:
            schema_editor.execute(statement, None)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REMOVE, None)
        # 0002's function again, without its trigger, which is still there.
        schema_editor.execute(previous.POSTGRESQL_INSTALL.split("CREATE TRIGGER")[0], None)
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_is_owner(oid)", None)
    elif vendor == "sqlite":
        for statement in SQLITE_REMOVE + previous.SQLITE_INSTALL:
            schema_editor.execute(statement, None)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_collision_action'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AccessLogTombstone',
            fields=[
                ('chain_position', models.BigIntegerField(primary_key=True, serialize=False, verbose_name='place in the chain')),
                ('previous_hash', models.CharField(max_length=64, verbose_name='hash of the previous row')),
                ('row_hash', models.CharField(max_length=64, verbose_name='hash of the row')),
                ('purged_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='purged at')),
            ],
            options={
                'verbose_name': 'access-log tombstone',
                'verbose_name_plural': 'access-log tombstones',
                'ordering': ['chain_position'],
            },
        ),
        migrations.AddField(
            model_name='accesslogentry',
            name='chain_position',
            field=models.BigIntegerField(blank=True, editable=False, null=True, unique=True, verbose_name='place in the chain'),
        ),
        migrations.AddField(
            model_name='accesslogentry',
            name='previous_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='hash of the previous row'),
        ),
        migrations.AddField(
            model_name='accesslogentry',
            name='row_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='hash of the row'),
        ),
        migrations.AddIndex(
            model_name='accesslogentry',
            index=models.Index(condition=models.Q(('row_hash', '')), fields=['id'], name='accesslog_unsealed'),
        ),
        migrations.AddField(
            model_name='accesslogentry',
            name='outside_reach',
            field=models.BooleanField(blank=True, null=True, verbose_name="outside the reader's reach"),
        ),
        migrations.RunPython(install, remove),
    ]
