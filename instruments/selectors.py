"""Reads of stored responses by participant. Lists scoped to a user start in participants.selectors
(``responses_for_user``), which knows who may see which participant."""

from __future__ import annotations

from .models import Response


def response_find(*, participant, visit_code: str, activity_key: str, instance: int = 1) -> Response | None:
    return Response.objects.filter(
        participant=participant, visit_code=visit_code, activity_key=activity_key, instance=instance
    ).first()


def stored_score(*, participant, visit_code: str, instrument_code: str, score_name: str):
    """The stored score of a participant's complete response, or None (the first instance, any activity key
    using ``instrument_code`` at that visit, the participant's own answers before family members')."""
    rows = (
        Response.objects.filter(
            participant=participant,
            visit_code=visit_code,
            instrument_code=instrument_code,
            status=Response.Status.COMPLETE,
        )
        .order_by("instance", "activity_key")
        .values_list("activity_key", "scores")
    )
    preferred = sorted(rows, key=lambda row: row[0] != instrument_code)
    for _key, scores in preferred:
        value = (scores or {}).get(score_name)
        if value is not None:
            return value
    return None


def score_lookup_for(participant):
    """A ``score_lookup(instrument_code, score_name, visit_code)`` reading stored scores of ``participant``
    (the signature participants.services.participant_reassessment_evaluate asks for)."""

    def lookup(instrument_code: str, score_name: str, visit_code: str):
        return stored_score(
            participant=participant, visit_code=visit_code, instrument_code=instrument_code, score_name=score_name
        )

    return lookup


def response_statuses(participant) -> dict[tuple[str, str], str]:
    """(visit_code, activity_key) -> status of the participant's responses (the least finished instance),
    for schedule pages."""
    order = {Response.Status.NOT_STARTED: 0, Response.Status.IN_PROGRESS: 1, Response.Status.COMPLETE: 2}
    statuses: dict[tuple[str, str], str] = {}
    rows = Response.objects.filter(participant=participant).values_list("visit_code", "activity_key", "status")
    for visit_code, activity_key, status in rows:
        key = (visit_code, activity_key)
        if key not in statuses or order[status] < order[statuses[key]]:
            statuses[key] = status
    return statuses


def response_instances(*, participant, visit_code: str, activity_key: str) -> list[Response]:
    """Every entry of a repeating form at one visit, in order."""
    return list(
        Response.objects.filter(participant=participant, visit_code=visit_code, activity_key=activity_key)
        .order_by("instance")
        .only("instance", "status")
    )


def response_values_at(response: Response | None, lock_version: int) -> dict | None:
    """The answers ``response`` held at ``lock_version`` ({} before its first save; None when no revision says)."""
    if response is None or lock_version == 0:
        return {}
    return response.revisions.filter(lock_version=lock_version).values_list("values", flat=True).first()
