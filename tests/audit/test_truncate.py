"""PostgreSQL refuses TRUNCATE of the audit table (row triggers do not see it); only audit's flush may empty it."""

import os

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from audit.services import audit_record


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("the TRUNCATE trigger is tested on PostgreSQL (DATABASE_URL=postgres://...)")
        pytest.skip("SQLite has no TRUNCATE")


def _event(world):
    return audit_record(
        user=None, action=AuditEvent.Action.UPDATE, instance=world.participant_a, reason="kept", path="system"
    )


@pytest.mark.django_db
def test_a_truncate_of_the_audit_table_is_refused(world):
    event = _event(world)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own insert leaves deferred checks pending
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_audits_flush_command_still_empties_it_and_the_guard_is_back_afterwards(world):
    _event(world)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE")
