"""Persona-matrix kwargs of the participants app: a visit of each world participant (the visit page and its
done / missed / reopen posts)."""


def _visit(world, participant_name: str):
    from datetime import date

    from participants.models import Visit

    key = f"visit_{participant_name}"
    if key not in world.__dict__:
        world.__dict__[key] = Visit.objects.create(
            participant=getattr(world, participant_name),
            visit_code="matrix-visit",
            anchor_code="enrolment",
            target_date=date(2026, 3, 2),
            window_start=date(2026, 3, 1),
            window_end=date(2026, 3, 3),
        )
    return world.__dict__[key].pk


KWARGS = {
    "visit_id": (
        lambda w: _visit(w, "participant_a"),
        lambda w: _visit(w, "participant_b"),
        lambda w: _visit(w, "participant_c"),
    ),
}
