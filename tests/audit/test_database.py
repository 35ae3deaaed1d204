"""The database itself refuses to change or delete audit events, whichever database is configured."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from audit.services import audit_record


def _raw(sql: str, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def event(world):
    return audit_record(
        user=None,
        action=AuditEvent.Action.UPDATE,
        instance=world.participant_a,
        reason="original",
        changes={"status": ["screening", "enrolled"]},
        path="system",
    )


@pytest.mark.django_db
def test_a_raw_sql_update_is_refused(event):
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"UPDATE {table} SET reason = %s WHERE id = %s", ["rewritten", event.pk])  # noqa: S608
    event.refresh_from_db()
    assert event.reason == "original"


@pytest.mark.django_db
def test_a_raw_sql_delete_is_refused(event):
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"DELETE FROM {table} WHERE id = %s", [event.pk])  # noqa: S608
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"DELETE FROM {table} WHERE id > %s", [0])  # noqa: S608
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_inserting_is_still_allowed(event):
    audit_record(user=None, action=AuditEvent.Action.VERIFY, instance=event.participant, path="system")
    assert AuditEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_only_djangos_flush_may_empty_the_table(event):
    """Transactional tests end with ``flush``: it must get through, and leave the trigger in place."""
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    from tests.factories import ParticipantFactory

    again = audit_record(user=None, action=AuditEvent.Action.UPDATE, instance=ParticipantFactory(), path="system")
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"DELETE FROM {table} WHERE id = %s", [again.pk])  # noqa: S608
