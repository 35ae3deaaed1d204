"""The CONSORT flow as plain data, computed from rows that each stand for ``n`` participants alike in everything
the flow counts (reports.selectors groups them in the database; no database access here).

Every box counts declared events, never a guess (the page and docs/protocol-format.md repeat this):

- Assessed for eligibility: every participant of the study in the user's scope (each row is a person screened
  or registered).
- Excluded before enrolment: not meeting the criteria, grouped by failing criterion of the latest screening (a
  person failing two is counted under both); declined: asked to consent and refused (a consent refusal is
  recorded), and only those; still in screening, its own line (eligibility incomplete, awaiting consent, consented
  not enrolled), never counted as declined; in a randomised study, enrolled but not randomised.
- Randomised (randomised study: a randomisation number was used) or enrolled (observational), allocated per arm.
- Received the allocated intervention: from the arm's declared ``intervention`` (its anchor has a date); an arm
  with ``intervention: none`` shows "no intervention" instead; an arm without ``intervention`` shows no line.
- Follow-up: discontinued (a `discontinuation` criterion met, with its reasons); withdrawn (with the reasons);
  lost to follow-up (an analysis visit recorded as missed because the participant could not be reached, none
  completed, not withdrawn or discontinued); missed the analysis visit for another reason (a deviation, with the
  reasons), counted apart and never as lost.
- Analysed: completed one of the protocol's ``analysis_visits``, minus those excluded from analysis (an `exclusion`
  criterion met after enrolment, with its reasons). Without ``analysis_visits`` the analysed box says so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from core.i18n import text_for

SCREEN_FAILED, SCREENING, WITHDRAWN = "screen_failed", "screening", "withdrawn"
EXCLUSION, DISCONTINUATION = "exclusion", "discontinuation"
POOLED = ""


@dataclass(frozen=True)
class ParticipantRow:
    status: str
    arm_code: str = ""
    randomised: bool = False
    consented: bool = False
    refused: bool = False  # a consent refusal is recorded
    anchors: frozenset[str] = frozenset()  # anchor codes with a date
    eligible: bool | None = None
    failing: tuple[str, ...] = ()
    withdrawal_reason: str = ""
    withdrawn_on: date | None = None
    analysis_completed: bool = False  # one of the analysis visits is completed
    analysis_missed: bool = False  # one of the analysis visits is recorded as missed
    analysis_lost: bool = False  # ... because the participant could not be reached (lost to follow-up)
    missed_reasons: tuple[str, ...] = ()  # why analysis visits were missed (Visit.MissedReason labels)
    events: tuple[tuple[str, str], ...] = ()  # (criterion code, kind) met after enrolment
    n: int = 1  # how many participants share exactly this row (the selector groups them in the database)

    @property
    def enrolled(self) -> bool:
        return self.status not in (SCREEN_FAILED, SCREENING)

    def met(self, kind: str) -> list[str]:
        return [code for code, k in self.events if k == kind]


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
    declined: int  # asked to consent and refused
    screening: int  # still in screening
    screening_reasons: tuple[Line, ...]
    other: int
    other_reasons: tuple[Line, ...]


@dataclass(frozen=True)
class Intervention:
    """An arm's declared intervention as the diagram shows it; ``none`` for a wait-list or usual-care arm."""

    label: str
    none: bool


@dataclass(frozen=True)
class ArmFlow:
    """One column of the diagram: an arm, or every arm pooled (``code`` empty) for blinded roles."""

    code: str
    name: str
    allocated: int
    intervention: Intervention | None  # None: not declared (or arms pooled with different interventions)
    received: int | None  # None when there is nothing to count (undeclared, or `none`)
    discontinued: int
    discontinuation_reasons: tuple[Line, ...]
    withdrawn: int
    withdrawal_reasons: tuple[Line, ...]
    lost: int
    missed_visit: int  # missed an analysis visit for another reason than being unreachable, none completed
    missed_reasons: tuple[Line, ...]
    analysed: int | None  # None when the protocol declares no analysis visit
    excluded_from_analysis: int
    exclusion_reasons: tuple[Line, ...]

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
    analysis_visits: tuple[str, ...]  # labels of the declared analysis visits
    arms: tuple[ArmFlow, ...]


def _n(rows) -> int:
    """The participants ``rows`` stand for."""
    return sum(r.n for r in rows)


def _tally(pairs) -> Counter:
    """(reason, participants) pairs summed per reason."""
    counter: Counter = Counter()
    for reason, n in pairs:
        counter[reason] += n
    return counter


def _reasons(counter: Counter, labels: dict[str, str]) -> tuple[Line, ...]:
    ordered = sorted((+counter).items(), key=lambda item: (-item[1], item[0]))
    return tuple(Line(code, labels.get(code, code), n) for code, n in ordered)


def _screening_reason(row: ParticipantRow) -> str:
    if row.eligible is not True:
        return "incomplete"
    return "not_enrolled" if row.consented else "awaiting_consent"


def exclusions(protocol, rows: list[ParticipantRow], *, randomised_design: bool) -> Exclusions:
    failed = [r for r in rows if r.status == SCREEN_FAILED]
    waiting = [r for r in rows if r.status == SCREENING]
    declined = [r for r in waiting if r.refused and not r.consented]
    still = _tally((_screening_reason(r), r.n) for r in waiting if not (r.refused and not r.consented))
    other: Counter = Counter()
    if randomised_design:
        other["not_randomised"] = _n(r for r in rows if r.enrolled and not r.randomised)
    criteria = {c.code: text_for(c.text) for c in protocol.eligibility.criteria}
    labels = {
        "incomplete": _("Eligibility not yet complete"),
        "awaiting_consent": _("Eligible, consent not yet asked or recorded"),
        "not_enrolled": _("Consented, not enrolled"),
        "not_randomised": _("Enrolled, not randomised"),
    }
    n_still, n_other = sum(still.values()), sum(other.values())
    return Exclusions(
        n=_n(failed) + _n(declined) + n_still + n_other,
        screen_failed=_n(failed),
        criteria=_reasons(_tally((code, r.n) for r in failed for code in dict.fromkeys(r.failing)), criteria),
        declined=_n(declined),
        screening=n_still,
        screening_reasons=_reasons(still, labels),
        other=n_other,
        other_reasons=_reasons(other, labels),
    )


def _intervention(arms) -> Intervention | None:
    """What every arm of ``arms`` declares (several arms: the pooled column), or None when one declares nothing or
    some arms have `none` and others an intervention. Pooled arms with different labels show no label."""
    declared = [arm.intervention for arm in arms]
    if not declared or None in declared or len({i.none for i in declared}) > 1:
        return None
    labels = {"" if i.none else text_for(i.label) for i in declared}
    return Intervention(labels.pop() if len(labels) == 1 else "", declared[0].none)


def _received(rows: list[ParticipantRow], arms) -> int | None:
    """Allocated participants whose own arm's intervention anchor has a date; None if any arm has nothing to count."""
    by_code = {arm.code: arm.intervention for arm in arms}
    if not by_code or any(i is None or i.none for i in by_code.values()):
        return None
    return _n(r for r in rows if (i := by_code.get(r.arm_code)) is not None and i.anchor in r.anchors)


def arm_flow(protocol, code: str, name: str, rows: list[ParticipantRow], arms) -> ArmFlow:
    """The column of ``rows`` (allocated to ``arms``: one arm, or all of them pooled)."""
    labels = {c.code: text_for(c.label) for c in protocol.discontinuation}
    discontinued = [r for r in rows if r.met(DISCONTINUATION)]
    withdrawn = [r for r in rows if r.status == WITHDRAWN and not r.met(DISCONTINUATION)]
    stopped = {id(r) for r in discontinued + withdrawn}
    pending = [r for r in rows if r.analysis_missed and not r.analysis_completed and id(r) not in stopped]
    lost = [r for r in pending if r.analysis_lost]
    missed = [r for r in pending if not r.analysis_lost]
    excluded = [r for r in rows if r.met(EXCLUSION)]
    analysed = None
    if protocol.analysis_visits:
        analysed = _n(r for r in rows if r.analysis_completed and not r.met(EXCLUSION))
    return ArmFlow(
        code=code,
        name=name,
        allocated=_n(rows),
        intervention=_intervention(arms),
        received=_received(rows, arms),
        discontinued=_n(discontinued),
        discontinuation_reasons=_reasons(
            _tally((c, r.n) for r in discontinued for c in r.met(DISCONTINUATION)), labels
        ),
        withdrawn=_n(withdrawn),
        withdrawal_reasons=_reasons(_tally((r.withdrawal_reason.strip() or "—", r.n) for r in withdrawn), {}),
        lost=_n(lost),
        missed_visit=_n(missed),
        missed_reasons=_reasons(_tally((why, r.n) for r in missed for why in r.missed_reasons), {}),
        analysed=analysed,
        excluded_from_analysis=_n(excluded),
        exclusion_reasons=_reasons(_tally((c, r.n) for r in excluded for c in r.met(EXCLUSION)), labels),
    )


def _columns(protocol, included: list[ParticipantRow], allocated: list[ParticipantRow], arms_visible: bool):
    if not protocol.arms and not allocated:  # a study without arms: one column of everyone included
        return (arm_flow(protocol, POOLED, _("All participants"), included, ()),)
    if not arms_visible:
        return (arm_flow(protocol, POOLED, _("All arms (pooled: blinded)"), allocated, protocol.arms),)
    declared = {arm.code: arm for arm in protocol.arms}
    codes = list(declared) + sorted({r.arm_code for r in allocated} - set(declared))
    return tuple(
        arm_flow(
            protocol,
            code,
            text_for(declared[code].name) if code in declared else code,
            [r for r in allocated if r.arm_code == code],
            (declared[code],) if code in declared else (),
        )
        for code in codes
    )


def consort_flow(
    protocol, rows: list[ParticipantRow], *, arms_visible: bool, site_codes, site_limited: bool, randomised_design: bool
) -> ConsortFlow:
    if randomised_design:
        included = [r for r in rows if r.enrolled and r.randomised]
    else:
        included = [r for r in rows if r.enrolled]
    allocated = [r for r in included if r.arm_code]
    columns = _columns(protocol, included, allocated, arms_visible)
    if not protocol.arms and not allocated:
        allocated = included
    visit_labels = {v.code: text_for(v.label) for v in protocol.visits}
    return ConsortFlow(
        randomised_design=randomised_design,
        arms_visible=arms_visible,
        site_codes=tuple(site_codes),
        site_limited=site_limited,
        assessed=_n(rows),
        excluded=exclusions(protocol, rows, randomised_design=randomised_design),
        included=_n(included),
        not_allocated=_n(included) - _n(allocated),
        analysis_visits=tuple(visit_labels.get(code, code) for code in protocol.analysis_visits),
        arms=columns,
    )
