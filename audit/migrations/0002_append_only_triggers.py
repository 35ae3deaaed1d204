"""The database refuses UPDATE and DELETE on audit events, on PostgreSQL and SQLite.

PostgreSQL: a plpgsql function raising an exception, called by a BEFORE UPDATE OR DELETE row trigger.
TRUNCATE is not a row operation (Django's test flush uses it) and stays a table owner's privilege.

SQLite: two triggers raising ABORT. The DELETE one asks ``audit_guard()``, an SQL function that Django's
connections get from audit/db.py, because SQLite's ``flush`` is ``DELETE FROM`` (see audit/db.py).
"""

from django.db import migrations

MESSAGE = "audit events are append-only"

POSTGRESQL = (
    [
        f"""
        CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END;
        $$ LANGUAGE plpgsql;
        """,
        """
        CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
        FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();
        """,
    ],
    [
        "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;",
        "DROP FUNCTION IF EXISTS audit_event_refuse_change();",
    ],
)
SQLITE = (
    [
        f"""
        CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
        """,
        f"""
        CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
        WHEN audit_guard() = 1
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
        """,
    ],
    ["DROP TRIGGER IF EXISTS audit_event_no_update;", "DROP TRIGGER IF EXISTS audit_event_no_delete;"],
)


def _statements(schema_editor, index):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        return POSTGRESQL[index]
    if vendor == "sqlite":
        return SQLITE[index]
    raise NotImplementedError(f"no append-only trigger for {vendor}")


def create_triggers(apps, schema_editor):
    for statement in _statements(schema_editor, 0):
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for statement in _statements(schema_editor, 1):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
