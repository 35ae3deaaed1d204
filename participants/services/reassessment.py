"""The protocol's reassessment rules, applied after a form is saved.

The instruments app owns the scores, so it passes a lookup in rather than this app reading its tables.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from audit.services import audited_update
from studies.protocol import needs_reassessment
from studies.selectors import current_protocol

from ..models import Participant
from .common import SYSTEM, WHY_RULES, _locked

ScoreLookup = Callable[[str, str, str], float | None]


@transaction.atomic
def participant_reassessment_evaluate(*, participant: Participant, score_lookup: ScoreLookup, user=None) -> bool | None:
    """Apply the protocol's reassessment rules; the instruments app calls this after saving a response.

    ``score_lookup(instrument_code, score_name, visit_code)`` returns the participant's score or None.
    Returns True (flag raised), False (rules evaluated, no flag) or None (scores not all in yet).
    A change of the flag is in the audit trail with the path "system".
    """
    protocol = current_protocol(participant.study)
    if protocol is None or not protocol.rules:
        return None
    participant = _locked(participant)
    results, notes = [], []
    for rule in protocol.rules:
        baseline = score_lookup(rule.instrument, rule.score, rule.baseline_visit)
        current = score_lookup(rule.instrument, rule.score, rule.visit)
        flagged = needs_reassessment(rule, baseline, current)
        results.append(flagged)
        if flagged:
            notes.append(
                # Both languages the study declares; a one-language study has one (no dangling " / ").
                f"{' / '.join(t for t in (rule.flag.en, rule.flag.zh) if t)}: {rule.instrument} {rule.score} "
                f"{rule.baseline_visit} {baseline} → {rule.visit} {current}"
            )
    outcome = True if True in results else (None if None in results else False)
    if outcome is not None:
        with audited_update(participant, user=user, path=SYSTEM, reason=WHY_RULES):
            participant.needs_reassessment = outcome
            participant.reassessment_note = "\n".join(notes)
            participant.save(update_fields=["needs_reassessment", "reassessment_note"])
    return outcome
