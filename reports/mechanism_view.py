"""A participant's pain-mechanism profile for the page: their latest scored scales read once, the pure rules of
reports.mechanism applied, and every domain, status and rule put in the viewer's language."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from instruments.models import Response
from participants.selectors import instrument_title
from studies.selectors import current_protocol

from . import mechanism
from .mechanism import Finding

DOMAINS = {
    "nociceptive": _("Nociceptive"),
    "neuropathic": _("Neuropathic"),
    "nociplastic": _("Nociplastic"),
    "catastrophising": _("Pain catastrophising"),
    "depression": _("Depression"),
    "anxiety": _("Anxiety"),
    "psychosocial_risk": _("Psychosocial risk (STarT Back)"),
    "somatic_symptoms": _("Somatic symptom burden"),
    "insomnia": _("Insomnia"),
    "poor_sleep": _("Poor sleep quality"),
}
STATUSES = {
    mechanism.PRESENT: (_("Indicated"), "danger"),
    mechanism.POSSIBLE: (_("Possible"), "warning"),
    mechanism.ABSENT: (_("Not indicated"), "success"),
    mechanism.UNKNOWN: (_("Unknown: scale not scored"), "secondary"),
}


@dataclass
class Shown:
    finding: Finding
    label: str
    status_label: str
    style: str
    missing: list[str]  # the scales that would inform it and have no score


def _other_respondents(protocol) -> set[str]:
    """Activity keys a family member answers (their PHQ-9 is about them, not the participant)."""
    if protocol is None:
        return set()
    return {a.key for v in protocol.visits for a in v.activities if a.kind == "instrument" and a.respondent == "family"}


def latest_scores(participant) -> dict[str, dict]:
    """instrument code -> the scores of the participant's latest complete, scored form of it (one query)."""
    rows = (
        Response.objects.filter(participant=participant, status=Response.Status.COMPLETE)
        .exclude(scores={})
        .exclude(activity_key__in=_other_respondents(current_protocol(participant.study)))
        .order_by("instrument_code", "-completed_at", "-updated_at", "-pk")
        .values_list("instrument_code", "visit_code", "scores")
    )
    found: dict[str, dict] = {}
    for code, _visit, scores in rows:
        found.setdefault(code, scores)
    return found


def _shown(finding: Finding, scores: dict, title) -> Shown:
    status_label, style = STATUSES[finding.status]
    missing = [title(code) for code in finding.instruments if code not in scores]
    return Shown(finding, str(DOMAINS.get(finding.domain, finding.domain)), str(status_label), style, missing)


def participant_profile(participant) -> dict:
    scores = latest_scores(participant)
    result = mechanism.profile(scores)

    def title(code: str) -> str:
        return instrument_title(participant, code)

    return {
        "indicators": [_shown(f, scores, title) for f in result.indicators],
        "drivers": [_shown(f, scores, title) for f in result.drivers],
        "scored": [title(code) for code in sorted(scores)],
    }
