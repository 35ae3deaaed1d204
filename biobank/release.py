"""Cell-product release: every criterion the protocol declares must pass, and a missing result fails. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from studies.protocol.specimens import ReleaseCriterion


@dataclass(frozen=True)
class Outcome:
    code: str
    passed: bool
    value: str  # as recorded ("" when missing)


def evaluate(criteria: tuple[ReleaseCriterion, ...], results: dict[str, str]) -> list[Outcome]:
    """One outcome per criterion, in the protocol's order. ``results`` maps criterion codes to the recorded text."""
    return [
        Outcome(c.code, _passes(c, results.get(c.code, "").strip()), results.get(c.code, "").strip()) for c in criteria
    ]


def released(outcomes: list[Outcome]) -> bool:
    return bool(outcomes) and all(o.passed for o in outcomes)


def _passes(criterion: ReleaseCriterion, value: str) -> bool:
    if not value:
        return False
    if not criterion.numeric:
        return value.lower() == criterion.expect
    try:
        number = float(value)
    except ValueError:
        return False
    low_ok = criterion.minimum is None or number >= criterion.minimum
    high_ok = criterion.maximum is None or number <= criterion.maximum
    return low_ok and high_ok
