"""Persona-matrix kwargs of the monitoring app: a (visit) lock of each world participant.

A lock of a visit the protocol does not have, so no other page's own data becomes read-only.
"""


def _lock(world, participant_name: str):
    from django.utils import timezone

    from participants.models import Lock
    from tests.factories import UserFactory

    key = f"lock_{participant_name}"
    if key not in world.__dict__:
        world.__dict__[key] = Lock.objects.create(
            scope=Lock.Scope.VISIT,
            participant=getattr(world, participant_name),
            visit_code="matrix-visit",
            locked_by=UserFactory(),
            locked_at=timezone.now(),
        )
    return world.__dict__[key].pk


KWARGS = {
    "lock_id": (
        lambda w: _lock(w, "participant_a"),
        lambda w: _lock(w, "participant_b"),
        lambda w: _lock(w, "participant_c"),
    ),
}
