"""Persona-matrix kwargs of the queries app: ``query_id``, a query on the participant at each site."""

from queries.models import Query


def _query(world, participant_name: str):
    key = f"query_{participant_name}"
    if key not in world.__dict__:
        participant = getattr(world, participant_name)
        world.__dict__[key] = Query.objects.create(
            study=participant.study,
            site=participant.site,
            participant=participant,
            object_type="instruments.response",
            visit_code="baseline",
            activity_key="phq9",
            text="Please check ALPHA item 1",
            status=Query.Status.OPEN,
        )
    return world.__dict__[key].pk


KWARGS = {
    "query_id": (
        lambda w: _query(w, "participant_a"),
        lambda w: _query(w, "participant_b"),
        lambda w: _query(w, "participant_c"),
    ),
}
