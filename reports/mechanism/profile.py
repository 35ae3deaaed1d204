"""Apply the cut-offs of ``rules`` to a participant's latest scores: one finding per indicator and driver."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .rules import DRIVERS, INDICATORS, NEUROPATHIC, NOCICEPTIVE, NOCIPLASTIC, PAIN, Cutoff

PRESENT = "present"
POSSIBLE = "possible"
ABSENT = "absent"
UNKNOWN = "unknown"  # no scale of the domain was scored: never read as absent
ORDER = (PRESENT, POSSIBLE)

Scores = Mapping[str, Mapping[str, object]]  # instrument code -> that instrument's latest scores


@dataclass(frozen=True)
class Reading:
    cutoff: Cutoff
    observed: object
    held: bool


@dataclass(frozen=True)
class Finding:
    domain: str
    status: str  # PRESENT, POSSIBLE, ABSENT or UNKNOWN
    readings: tuple[Reading, ...] = ()  # every cut-off of the domain whose score was available
    placed_by: tuple[Reading, ...] = ()  # the readings that gave ``status`` (the held ones, or all for absent)
    instruments: tuple[str, ...] = ()  # the scales that would inform it (to say what is missing)


@dataclass(frozen=True)
class Profile:
    indicators: tuple[Finding, ...]
    drivers: tuple[Finding, ...]
    pain: Finding = field(repr=False, default=None)


def _observed(cutoff: Cutoff, scores: Scores):
    value = (scores.get(cutoff.instrument) or {}).get(cutoff.score)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(cutoff.value, str):
        return value if isinstance(value, str) else None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def evaluate(domain: str, cutoffs: tuple[Cutoff, ...], scores: Scores) -> Finding:
    """The strongest level among the cut-offs that hold; ABSENT when scores were read and none holds; else UNKNOWN."""
    mine = [c for c in cutoffs if c.domain == domain]
    readings = []
    for cutoff in mine:
        observed = _observed(cutoff, scores)
        if observed is not None:
            readings.append(Reading(cutoff, observed, cutoff.holds(observed)))
    instruments = tuple(dict.fromkeys(c.instrument for c in mine))
    for level in ORDER:
        held = tuple(r for r in readings if r.held and r.cutoff.level == level)
        if held:
            return Finding(domain, level, tuple(readings), held, instruments)
    status = ABSENT if readings else UNKNOWN
    return Finding(domain, status, tuple(readings), tuple(readings), instruments)


def _nociceptive(pain: Finding, others: list[Finding]) -> Finding:
    """Pain with neither a neuropathic nor a nociplastic finding: nociceptive; with one of them: mixed (possible).

    It is a finding by exclusion, so it is unknown unless pain was reported and both other indicators were read."""
    instruments = pain.instruments + tuple(i for f in others for i in f.instruments)
    if pain.status in (UNKNOWN, ABSENT):
        return Finding(NOCICEPTIVE, pain.status, pain.readings, pain.placed_by, instruments)
    if any(f.status in ORDER for f in others):
        status = POSSIBLE
    elif all(f.status == ABSENT for f in others):
        status = PRESENT
    else:
        status = UNKNOWN
    readings = pain.readings + tuple(r for f in others for r in f.readings)
    return Finding(NOCICEPTIVE, status, readings, pain.placed_by, instruments)


def profile(scores: Scores, *, indicators: tuple[Cutoff, ...] = INDICATORS, drivers: tuple[Cutoff, ...] = DRIVERS):
    """The participant's profile from ``scores`` (instrument code -> latest scores); the tables default to rules."""
    pain = evaluate(PAIN, indicators, scores)
    neuropathic = evaluate(NEUROPATHIC, indicators, scores)
    nociplastic = evaluate(NOCIPLASTIC, indicators, scores)
    driver_codes = tuple(dict.fromkeys(c.domain for c in drivers))
    return Profile(
        indicators=(_nociceptive(pain, [neuropathic, nociplastic]), neuropathic, nociplastic),
        drivers=tuple(evaluate(code, drivers, scores) for code in driver_codes),
        pain=pain,
    )
