"""Whether a participant's schedule holds a form: the one rule every write path of CRF answers asks.

A form (an instrument activity) may be opened or saved only at a visit the participant has, projected for
their arm and anchor dates, and only when that visit holds the activity for their arm. A visit on an anchor
with no date (entered or expected) is not theirs yet; a declared unscheduled visit (``unscheduled: true``)
needs no anchor and takes any date once the participant is enrolled. In a blinded study's union schedule the
arm restricts nothing (``schedule._for_arm``), so a refusal never tells blinded staff who is in which arm.

Pure: the participants app gives the protocol, the arm and the anchor dates and words the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .schedule import _for_arm, resolve_anchors
from .schema import Protocol

UNKNOWN, NOT_SCHEDULED = "unknown", "not_scheduled"

# Reasons: a refusal's ``reason`` is one of these keys (participants.selectors words them in both languages).
NO_VISIT, NO_ACTIVITY, VISIT_ARM, NO_ARM, ANCHOR_MISSING, ACTIVITY_ARM, NOT_ENROLLED = (
    "no_visit",
    "no_activity",
    "visit_arm",
    "no_arm",
    "anchor_missing",
    "activity_arm",
    "not_enrolled",
)
ENROLMENT = "enrolment"  # every protocol declares it (checks.py)


@dataclass(frozen=True)
class EntryRefusal:
    """Why a form is refused: ``kind`` UNKNOWN (the protocol has no such visit or form) or NOT_SCHEDULED (it
    has, but not for this participant, or not yet)."""

    kind: str
    reason: str
    params: dict = field(default_factory=dict)


def entry_refusal(
    protocol: Protocol, *, arm_code: str | None, anchors: dict[str, date | None], visit_code: str, activity_key: str
) -> EntryRefusal | None:
    """None when the participant's schedule holds instrument ``activity_key`` at visit ``visit_code``."""
    visit = next((v for v in protocol.visits if v.code == visit_code), None)
    if visit is None:
        return EntryRefusal(UNKNOWN, NO_VISIT, {"visit": visit_code})
    activity = next((a for a in visit.activities if a.kind == "instrument" and a.key == activity_key), None)
    if activity is None:
        return EntryRefusal(UNKNOWN, NO_ACTIVITY, {"visit": visit_code, "activity": activity_key})
    arm = arm_code if arm_code in protocol.arm_codes else None
    where = {"visit": visit_code, "activity": activity_key}
    if not _for_arm(protocol, visit.arms, arm):
        return EntryRefusal(NOT_SCHEDULED, VISIT_ARM if arm else NO_ARM, where)
    declared = {a.code for a in protocol.anchors}
    resolved = resolve_anchors(protocol, {code: day for code, day in anchors.items() if code in declared})
    if visit.unscheduled and ENROLMENT not in resolved:  # any date, but not before the person is in the study
        return EntryRefusal(NOT_SCHEDULED, NOT_ENROLLED, where)
    if not visit.unscheduled and visit.anchor not in resolved:
        return EntryRefusal(NOT_SCHEDULED, ANCHOR_MISSING, {**where, "anchor": protocol.anchor(visit.anchor).label})
    if not _for_arm(protocol, activity.arms, arm):
        return EntryRefusal(NOT_SCHEDULED, ACTIVITY_ARM if arm else NO_ARM, where)
    return None
