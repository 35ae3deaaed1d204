"""The CONSORT flow as plain data, computed from one row per participant (no database access here).

How each box is counted (the page and docs repeat this):

- Assessed for eligibility: every participant of the study in the user's scope (each row is a person screened
  or registered).
- Excluded: screen failures, grouped by failing criterion of the latest screening (a person failing two
  criteria is counted under both, so the criteria may add up to more than the screen failures); declined
  (screened eligible, never consented); other (eligibility still incomplete; consented but not enrolled; in a
  randomised study, enrolled but not randomised).
- Enrolled (observational) or randomised (randomised study: a randomisation number was used).
- Allocated per arm: the arm of each enrolled (or randomised) participant.
- Received the allocated intervention: the date of the intervention anchor is entered. The intervention anchor
  is the anchor, other than enrolment and optional anchors, on which most visits hang (protocol order breaks a
  tie): transplantation in ADMSC (not liposuction, which every arm has before it), treatment start in LBPB.
- Follow-up: one box per visit on that anchor after day 0 (non-repeating), in order. Lost to follow-up: the
  visit was recorded as missed. Withdrawn: counted once, at the first follow-up visit the person did not attend
  (neither completed nor missed: cancelled at withdrawal, or never scheduled), with the reasons.
- Analysed: the final follow-up visit is completed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from core.i18n import text_for

ENROLMENT = "enrolment"
SCREEN_FAILED, SCREENING = "screen_failed", "screening"
POOLED = ""


@dataclass(frozen=True)
class VisitRow:
    completed: bool
    missed: bool


@dataclass(frozen=True)
class ParticipantRow:
    status: str
    arm_code: str = ""
    randomised: bool = False
    consented: bool = False
    received: bool = False
    eligible: bool | None = None
    failing: tuple[str, ...] = ()
    withdrawal_reason: str = ""
    withdrawn_on: date | None = None
    visits: dict[str, VisitRow] = field(default_factory=dict)

    @property
    def enrolled(self) -> bool:
        return self.status not in (SCREEN_FAILED, SCREENING)


@dataclass(frozen=True)
class Line:
    """One counted reason inside a box."""

    code: str
    label: str
    n: int


@dataclass(frozen=True)
class Exclusions:
    n: int
    screen_failed: int
    criteria: tuple[Line, ...]  # per failing criterion; may add up to more than screen_failed
    declined: int
    other: int
    other_reasons: tuple[Line, ...]


@dataclass(frozen=True)
class FollowUp:
    completed: int
    lost: int
    withdrawn: int
    withdrawal_reasons: tuple[Line, ...]


@dataclass(frozen=True)
class VisitStep:
    code: str
    label: str


@dataclass(frozen=True)
class ArmFlow:
    """One column of the diagram: an arm, or every arm pooled (``code`` empty) for blinded roles."""

    code: str
    name: str
    allocated: int
    received: int | None  # None when the protocol has no intervention anchor
    follow_up: tuple[FollowUp | None, ...]  # aligned with ConsortFlow.visits; None where the arm has no such visit
    analysed: int

    @property
    def not_received(self) -> int | None:
        return None if self.received is None else self.allocated - self.received


@dataclass(frozen=True)
class ConsortFlow:
    randomised_design: bool
    arms_visible: bool
    site_codes: tuple[str, ...]
    site_limited: bool
    assessed: int
    excluded: Exclusions
    included: int  # enrolled (observational) or randomised (randomised study)
    not_allocated: int  # observational: enrolled without an arm yet
    intervention_anchor: VisitStep | None
    visits: tuple[VisitStep, ...]
    arms: tuple[ArmFlow, ...]


def intervention_anchor(protocol):
    """The non-enrolment, non-optional anchor with most visits on it (first in protocol order on a tie), or None."""
    counts = Counter(v.anchor for v in protocol.visits)
    candidates = [a for a in protocol.anchors if a.code != ENROLMENT and not a.optional and counts[a.code]]
    if not candidates:
        return None
    return max(candidates, key=lambda a: (counts[a.code], -protocol.anchors.index(a)))


def follow_up_visits(protocol, anchor) -> list:
    """Visits after day 0 of the intervention anchor (of enrolment without one), not repeating, in order."""
    code = anchor.code if anchor is not None else ENROLMENT
    visits = [v for v in protocol.visits if v.anchor == code and v.offset_days > 0 and v.repeating is None]
    return sorted(visits, key=lambda v: v.offset_days)


def _reasons(counter: Counter, labels: dict[str, str]) -> tuple[Line, ...]:
    ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return tuple(Line(code, labels.get(code, code), n) for code, n in ordered)


def exclusions(protocol, rows: list[ParticipantRow], *, randomised_design: bool) -> Exclusions:
    failed = [r for r in rows if r.status == SCREEN_FAILED]
    screening = [r for r in rows if r.status == SCREENING]
    declined = sum(1 for r in screening if r.eligible is True and not r.consented)
    other = Counter()
    for row in screening:
        if row.eligible is not True:
            other["incomplete"] += 1
        elif row.consented:
            other["not_enrolled"] += 1
    if randomised_design:
        other["not_randomised"] = sum(1 for r in rows if r.enrolled and not r.randomised)
    other = +other  # drop zero counts
    criteria = {c.code: text_for(c.text) for c in protocol.eligibility.criteria}
    other_labels = {
        "incomplete": _("Eligibility not yet complete"),
        "not_enrolled": _("Consented, not enrolled"),
        "not_randomised": _("Enrolled, not randomised"),
    }
    n_other = sum(other.values())
    return Exclusions(
        n=len(failed) + declined + n_other,
        screen_failed=len(failed),
        criteria=_reasons(Counter(code for r in failed for code in dict.fromkeys(r.failing)), criteria),
        declined=declined,
        other=n_other,
        other_reasons=_reasons(other, other_labels),
    )


def _withdrawal_step(row: ParticipantRow, codes: list[str]) -> int | None:
    """Index of the first follow-up visit a withdrawn person did not attend, or None."""
    if row.status != "withdrawn":
        return None
    for index, code in enumerate(codes):
        visit = row.visits.get(code)
        if visit is None or not (visit.completed or visit.missed):
            return index
    return None


def arm_flow(code: str, name: str, rows: list[ParticipantRow], visits: list, *, anchor, arm_filter) -> ArmFlow:
    codes = [v.code for v in visits]
    steps = [_withdrawal_step(r, codes) for r in rows]
    follow_up = []
    for index, visit in enumerate(visits):
        if not arm_filter(visit):
            follow_up.append(None)
            continue
        withdrawn = [r for r, step in zip(rows, steps, strict=True) if step == index]
        reasons = Counter(r.withdrawal_reason.strip() or "—" for r in withdrawn)
        seen = [r.visits.get(visit.code) for r in rows]
        follow_up.append(
            FollowUp(
                completed=sum(1 for v in seen if v is not None and v.completed),
                lost=sum(1 for v in seen if v is not None and v.missed),
                withdrawn=len(withdrawn),
                withdrawal_reasons=_reasons(reasons, {}),
            )
        )
    final = codes[-1] if codes else None
    return ArmFlow(
        code=code,
        name=name,
        allocated=len(rows),
        received=None if anchor is None else sum(1 for r in rows if r.received),
        follow_up=tuple(follow_up),
        analysed=0 if final is None else sum(1 for r in rows if (v := r.visits.get(final)) and v.completed),
    )


def consort_flow(
    protocol, rows: list[ParticipantRow], *, arms_visible: bool, site_codes, site_limited: bool, randomised_design: bool
) -> ConsortFlow:
    anchor = intervention_anchor(protocol)
    visits = follow_up_visits(protocol, anchor)
    if randomised_design:
        included = [r for r in rows if r.enrolled and r.randomised]
    else:
        included = [r for r in rows if r.enrolled]
    allocated = [r for r in included if r.arm_code]
    if not protocol.arms and not allocated:  # a study without arms: one column of everyone included
        allocated = included
        arms = (arm_flow(POOLED, _("All participants"), included, visits, anchor=anchor, arm_filter=lambda v: True),)
    elif arms_visible:
        names = {arm.code: text_for(arm.name) for arm in protocol.arms}
        codes = list(names) + sorted({r.arm_code for r in allocated} - set(names))
        arms = tuple(
            arm_flow(
                code,
                names.get(code, code),
                [r for r in allocated if r.arm_code == code],
                visits,
                anchor=anchor,
                arm_filter=lambda v, code=code: not v.arms or code in v.arms,
            )
            for code in codes
        )
    else:
        arms = (
            arm_flow(
                POOLED, _("All arms (pooled: blinded)"), allocated, visits, anchor=anchor, arm_filter=lambda v: True
            ),
        )
    return ConsortFlow(
        randomised_design=randomised_design,
        arms_visible=arms_visible,
        site_codes=tuple(site_codes),
        site_limited=site_limited,
        assessed=len(rows),
        excluded=exclusions(protocol, rows, randomised_design=randomised_design),
        included=len(included),
        not_allocated=len(included) - len(allocated),
        intervention_anchor=None if anchor is None else VisitStep(anchor.code, text_for(anchor.label)),
        visits=tuple(VisitStep(v.code, text_for(v.label)) for v in visits),
        arms=arms,
    )
