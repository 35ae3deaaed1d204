"""Evaluate inclusion and exclusion criteria against screening answers.

Three-valued: a rule is True, False or None (cannot tell yet because an answer it needs is missing).
`any` is True as soon as one part is True, `all` is False as soon as one part is False, so a person can be
found ineligible before every answer is in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .schema import Combination, Condition, Criterion, Rule


@dataclass(frozen=True)
class EligibilityResult:
    eligible: bool | None  # None: nothing fails yet but some criteria are unanswered
    failing: tuple[Criterion, ...]  # inclusion not met, or exclusion that applies
    unanswered: tuple[Criterion, ...]


def evaluate(criteria: Sequence[Criterion], answers: Mapping[str, Any]) -> EligibilityResult:
    """`answers` maps field codes (for rules) and criterion codes (for unruled yes/no items) to values."""
    failing, unanswered = [], []
    for criterion in criteria:
        holds = criterion_holds(criterion, answers)
        if holds is None:
            unanswered.append(criterion)
        elif holds != (criterion.kind == "inclusion"):
            failing.append(criterion)
    eligible = False if failing else (None if unanswered else True)
    return EligibilityResult(eligible, tuple(failing), tuple(unanswered))


def criterion_holds(criterion: Criterion, answers: Mapping[str, Any]) -> bool | None:
    """Whether the criterion's statement is true of the person: met (inclusion) or applies (exclusion)."""
    if criterion.rule is None:
        value = answers.get(criterion.code)
        return None if value is None else bool(value)
    return rule_holds(criterion.rule, answers)


def rule_holds(rule: Rule, answers: Mapping[str, Any]) -> bool | None:
    if isinstance(rule, Combination):
        return _combine(rule, answers)
    value = answers.get(rule.field)
    if value is None:
        return None
    return _compare(rule, value)


def _combine(rule: Combination, answers: Mapping[str, Any]) -> bool | None:
    results = [rule_holds(sub, answers) for sub in rule.rules]
    if rule.mode == "not":
        return None if results[0] is None else not results[0]
    decisive = rule.mode == "any"  # True decides `any`; False decides `all`
    if decisive in results:
        return decisive
    return None if None in results else not decisive


def _compare(rule: Condition, value: Any) -> bool:
    target = rule.value
    if rule.op == "between":
        low, high = target
        return low <= value <= high
    if rule.op == "in":
        return value in target
    return {
        "==": lambda: value == target,
        "!=": lambda: value != target,
        ">": lambda: value > target,
        ">=": lambda: value >= target,
        "<": lambda: value < target,
        "<=": lambda: value <= target,
    }[rule.op]()
