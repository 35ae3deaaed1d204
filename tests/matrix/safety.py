"""Persona-matrix kwargs of the safety app: one serious adverse event (with its reporting deadlines) per
participant of the world, made as rows (the CRF path is tested in tests/safety/)."""

from datetime import UTC, datetime, timedelta

from instruments.models import Response
from safety.models import AdverseEvent, SaeReport


def _event(world, name: str) -> int:
    key = f"safety_{name}"
    if key not in world.__dict__:
        participant = getattr(world, name)
        response = Response.objects.create(
            participant=participant,
            visit_code="baseline",
            activity_key="ae_record",
            instance=1,
            instrument_code="ae_record",
            definition_version="1.0",
            values={"ae_record_occurred": 1},
            status=Response.Status.IN_PROGRESS,
            lock_version=1,
        )
        aware = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)
        event = AdverseEvent.objects.create(
            participant=participant,
            response=response,
            visit_code="baseline",
            term="Fever",
            grade=3,
            serious=True,
            aware_at=aware,
        )
        SaeReport.objects.create(adverse_event=event, recipient="ethics_committee", due_at=aware + timedelta(hours=12))
        world.__dict__[key] = event
    return world.__dict__[key].pk


KWARGS = {
    "adverse_event_id": (
        lambda w: _event(w, "participant_a"),
        lambda w: _event(w, "participant_b"),
        lambda w: _event(w, "participant_c"),
    ),
}
