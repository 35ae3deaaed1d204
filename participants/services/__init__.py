"""Writes for participants: screening, consent, enrolment, allocation, anchor dates, visits, withdrawal.

Every function is keyword-only, checks its rules, raises ``ValidationError`` with a message for the user
when they do not hold, and saves inside one transaction, so bad input never leaves half-saved data.
The schedule comes from the study's current protocol file (``studies.selectors.current_protocol``).

Every change is written to the audit trail (``audit.services``) in the same transaction: who, the old and
new value of each field, the reason and the path (``page`` by default; the API, an import or a command
say otherwise). What the system does in consequence (visits re-projected or cancelled, the reassessment
flag) is recorded with the path ``system``. Directly identifying data is recorded as present, never by value:
the trail is read by monitors, who may not see names.

The writes live in one module per part of a participant's course (``screening``, ``enrolment``,
``allocation``, ``schedule``, ``visits``, ``withdrawal``, ``reassessment``, ``criteria``, ``locks``) with the shared
checks in ``common``; callers import them from here, so the layout can change without touching them.
"""

from .allocation import participant_assign_arm
from .anchor_events import anchors_from_events_study, anchors_from_response, anchors_set_by_event
from .common import (
    ENROLMENT,
    PII_MASK,
    WHY_AMENDMENT,
    WHY_ANCHOR,
    WHY_ARM,
    WHY_ENROLMENT,
    WHY_RULES,
    WHY_WITHDRAWAL,
)
from .criteria import criterion_event_review, participant_criteria_evaluate
from .enrolment import participant_consent, participant_consent_refuse, participant_enrol
from .locks import (
    lock_create,
    lock_for_write,
    lock_release,
    locked_message,
    participant_hold,
    refuse_if_locked,
)
from .reassessment import ScoreLookup, participant_reassessment_evaluate
from .schedule import anchor_set, visits_reproject_study
from .screening import participant_register, participant_screen
from .visits import visit_complete, visit_miss, visit_reopen
from .withdrawal import participant_withdraw

__all__ = [
    "ENROLMENT",
    "PII_MASK",
    "WHY_AMENDMENT",
    "WHY_ANCHOR",
    "WHY_ARM",
    "WHY_ENROLMENT",
    "WHY_RULES",
    "WHY_WITHDRAWAL",
    "ScoreLookup",
    "criterion_event_review",
    "anchor_set",
    "anchors_from_events_study",
    "anchors_from_response",
    "anchors_set_by_event",
    "lock_create",
    "lock_for_write",
    "lock_release",
    "locked_message",
    "participant_hold",
    "refuse_if_locked",
    "participant_assign_arm",
    "participant_consent",
    "participant_consent_refuse",
    "participant_criteria_evaluate",
    "participant_enrol",
    "participant_reassessment_evaluate",
    "participant_register",
    "participant_screen",
    "participant_withdraw",
    "visit_complete",
    "visit_miss",
    "visit_reopen",
    "visits_reproject_study",
]
