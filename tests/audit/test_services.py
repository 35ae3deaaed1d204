"""audit_record, snapshot, diff and audited_update, through the service API."""

import datetime
import decimal

import pytest
from django.db import transaction
from django.db.models import ProtectedError
from django.test import RequestFactory

from audit.models import AuditEvent, AuditEventImmutable
from audit.services import audit_record, audited_update, diff, snapshot
from participants.models import Consent, Participant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UPDATE = AuditEvent.Action.UPDATE


def test_snapshot_gives_json_safe_values_and_leaves_out_time_stamps(world):
    participant = world.participant_a
    participant.enrolled_on = datetime.date(2026, 3, 1)
    values = snapshot(participant)
    assert values["enrolled_on"] == "2026-03-01"
    assert values["site"] == world.site_a.pk
    assert values["identifier"] == "ALPHA-A-0001"
    assert "created_at" not in values and "id" not in values
    assert snapshot(participant, fields=["status"]) == {"status": "enrolled"}


def test_diff_lists_only_changed_fields_with_old_and_new_values():
    before = {"a": 1, "b": "x", "c": None, "when": datetime.date(2026, 1, 2)}
    after = {"a": 1, "b": "y", "d": decimal.Decimal("1.50"), "when": "2026-01-02"}
    assert diff(before, after) == {"b": ["x", "y"], "d": [None, "1.50"]}
    assert diff({}, {}) == {}
    assert diff({"score": 1.0}, {"score": float("nan")}) == {"score": [1.0, "nan"]}


def test_recorded_values_survive_the_database_whatever_their_python_type(world):
    event = audit_record(
        user=None,
        action=UPDATE,
        instance=world.participant_a,
        path="system",
        changes={
            "score": [decimal.Decimal("2.50"), float("inf")],
            "at": [datetime.datetime(2026, 1, 2, 3, 4, tzinfo=datetime.UTC), None],
            "span": [datetime.timedelta(days=1), None],
            "items": [("a", datetime.date(2026, 1, 1)), {"b": {1, 2} - {1}}],
        },
    )
    event.refresh_from_db()
    assert event.changes == {
        "score": ["2.50", "inf"],
        "at": ["2026-01-02T03:04:00+00:00", None],
        "span": ["P1DT00H00M00S", None],
        "items": [["a", "2026-01-01"], {"b": [2]}],
    }


def test_audit_record_infers_study_site_and_participant_from_the_instance(world):
    user = UserFactory()
    consent = Consent.objects.create(
        participant=world.participant_b, form_version="2.0", consented_on=datetime.date(2026, 2, 3), taken_by=user
    )
    event = audit_record(
        user=user,
        action=AuditEvent.Action.CREATE,
        instance=consent,
        changes=diff({}, snapshot(consent)),
        reason="paper form",
    )
    event.refresh_from_db()
    assert (event.study, event.site, event.participant) == (world.study, world.site_b, world.participant_b)
    assert event.object_type == "participants.consent"
    assert event.object_id == str(consent.pk)
    assert event.object_label == str(consent)
    assert event.changes["consented_on"] == [None, "2026-02-03"]
    assert event.user == user and event.reason == "paper form" and event.path == "page"


def test_audit_record_of_a_participant_and_of_a_system_event(world):
    event = audit_record(user=None, action=UPDATE, instance=world.participant_a, path="system")
    assert (event.study, event.site, event.participant) == (world.study, world.site_a, world.participant_a)
    assert event.user is None
    login = audit_record(user=UserFactory(), action=AuditEvent.Action.LOGIN, object_type="accounts.user")
    assert login.study is None and login.participant is None


def test_audit_record_refuses_unknown_actions_paths_and_missing_objects(world):
    with pytest.raises(ValueError):
        audit_record(user=None, action="erase", instance=world.participant_a)
    with pytest.raises(ValueError):
        audit_record(user=None, action=UPDATE, instance=world.participant_a, path="telepathy")
    with pytest.raises(ValueError):
        audit_record(user=None, action=UPDATE)
    with pytest.raises(ValueError):
        audit_record(user=None, action=UPDATE, instance=world.participant_a, changes={"status": "enrolled"})
    assert AuditEvent.objects.count() == 0


def test_sensitive_fields_are_stored_in_full_and_flagged(world):
    event = audit_record(
        user=None,
        action=AuditEvent.Action.ALLOCATE,
        instance=world.participant_a,
        changes={"arm_code": ["", "active"], "status": ["screening", "enrolled"]},
        sensitive=["kit"],
    )
    event.refresh_from_db()
    assert event.changes["arm_code"] == ["", "active"]
    assert event.sensitive_fields == ["arm_code", "kit"]


def test_the_request_id_is_shared_by_the_events_of_one_request(world):
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="req-42")
    first = audit_record(user=None, action=UPDATE, instance=world.participant_a, request=request)
    second = audit_record(user=None, action=UPDATE, instance=world.participant_b, request=request)
    assert first.request_id == second.request_id == "req-42"
    other = audit_record(user=None, action=UPDATE, instance=world.participant_a, request=RequestFactory().get("/"))
    assert len(other.request_id) == 32


def test_audited_update_records_what_the_block_changed(world):
    user = UserFactory()
    participant = world.participant_a
    with audited_update(participant, user=user, reason="data correction", path="api") as change:
        participant.status = Participant.Status.WITHDRAWN
        participant.withdrawn_on = datetime.date(2026, 5, 6)
        participant.save()
    event = AuditEvent.objects.get()
    assert change.event == event
    assert event.changes == {"status": ["enrolled", "withdrawn"], "withdrawn_on": [None, "2026-05-06"]}
    assert (event.user, event.reason, event.path, event.participant) == (user, "data correction", "api", participant)


def test_audited_update_reads_the_stored_row_not_the_changed_instance(world):
    participant = world.participant_a
    participant.status = "completed"  # changed in memory before the block: not yet stored
    with audited_update(participant, user=None, path="system"):
        Participant.objects.filter(pk=participant.pk).update(status="withdrawn")
    assert AuditEvent.objects.get().changes == {"status": ["enrolled", "withdrawn"]}


def test_audited_update_records_nothing_when_nothing_changed(world):
    with audited_update(world.participant_a, user=None, path="system") as change:
        world.participant_a.save()
    assert change.event is None and AuditEvent.objects.count() == 0


def test_an_error_after_the_audit_record_rolls_back_both_the_change_and_the_record(world):
    participant = world.participant_a
    with pytest.raises(RuntimeError), transaction.atomic():
        Participant.objects.filter(pk=participant.pk).update(status="withdrawn")
        audit_record(user=None, action=UPDATE, instance=participant, changes={"status": ["enrolled", "withdrawn"]})
        raise RuntimeError("the service fails after recording")
    assert AuditEvent.objects.count() == 0
    participant.refresh_from_db()
    assert participant.status == "enrolled"


def test_an_error_inside_audited_update_leaves_neither_the_change_nor_a_record(world):
    participant = world.participant_a
    with pytest.raises(RuntimeError), audited_update(participant, user=None, path="system"):
        participant.status = "withdrawn"
        participant.save()
        raise RuntimeError("validation failed late")
    assert AuditEvent.objects.count() == 0
    participant.refresh_from_db()
    assert participant.status == "enrolled"


def test_the_model_refuses_to_change_or_delete_an_event(world):
    event = audit_record(user=None, action=UPDATE, instance=world.participant_a, reason="original")
    event.reason = "rewritten"
    with pytest.raises(AuditEventImmutable):
        event.save()
    with pytest.raises(AuditEventImmutable):
        event.delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.all().delete()
    event.refresh_from_db()
    assert event.reason == "original"


def test_a_participant_with_audit_history_cannot_be_deleted(world):
    audit_record(user=None, action=UPDATE, instance=world.participant_a)
    with pytest.raises(ProtectedError):
        world.participant_a.delete()
