"""PostgreSQL refuses TRUNCATE of the audit table too (row triggers do not see it; migration 0002).

A statement trigger raises unless the session set ``audit.allow_flush`` to ``on``, which only audit's ``flush``
command does (test runs flush between transactional tests: see audit/db.py). SQLite has no TRUNCATE.
"""

from django.db import migrations

MESSAGE = "audit events are append-only: TRUNCATE refused"

CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION audit_event_refuse_truncate() RETURNS trigger AS $$
    BEGIN
        IF coalesce(current_setting('audit.allow_flush', true), '') = 'on' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_truncate();
    """,
]
DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_event_refuse_truncate();",
]


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
