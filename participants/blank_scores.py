"""Why a participant's complete forms have blank scores, for the participant page ("C3 needs hours of sleep").

Reads the participant's complete responses (one query) and asks the pure ``instruments.definitions.reasons`` of
each form's definition; only blank scores whose definition says what they need are listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.i18n import text_for
from instruments.definitions.reasons import score_reasons
from instruments.models import Response
from instruments.registry import instrument_for

from .models import Participant


@dataclass(frozen=True)
class BlankScore:
    visit_code: str
    visit: str  # the visit's label
    activity_key: str
    instance: int
    form: str  # the form's short title
    score: str  # the score's label
    why: str


def blank_scores(participant: Participant, protocol=None) -> list[BlankScore]:
    """Each blank score of the participant's complete forms that can say why, by visit and form code;
    ``protocol`` (the study's current one) gives the visits' labels."""
    visits = {visit.code: text_for(visit.label) for visit in protocol.visits} if protocol is not None else {}
    rows = (
        participant.responses.filter(status=Response.Status.COMPLETE)
        .only("visit_code", "activity_key", "instance", "instrument_code", "definition_version", "values", "scores")
        .order_by("visit_code", "activity_key", "instance")
    )
    out: list[BlankScore] = []
    for row in rows:
        if None not in (row.scores or {}).values():
            continue
        try:
            instrument = instrument_for(participant, row.instrument_code, row.definition_version)
        except KeyError:  # a study definition that no longer reads (logged by the registry)
            continue
        labels = {spec.name: spec.label for spec in instrument.scores}
        labels |= {item.code: item.label for item in instrument.items if not item.entered}
        title = text_for(instrument.short_title or instrument.title)
        for name, reason in score_reasons(instrument, row.values or {}, row.scores or {}).items():
            label = text_for(labels[name]) if name in labels else name
            visit = visits.get(row.visit_code, row.visit_code)
            out.append(
                BlankScore(row.visit_code, visit, row.activity_key, row.instance, title, label, text_for(reason))
            )
    return out
