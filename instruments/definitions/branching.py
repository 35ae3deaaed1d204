"""Evaluate show_if rules. static/js/branching.js implements exactly the same semantics.

Semantics (shared with the browser):
- a value is missing when it is absent, None, "" or an empty list;
- ``answered`` / ``unanswered`` test for that;
- ``==`` is equality, or "includes" for a list (multiple choice); ``!=`` is exactly ``not ==``,
  so it is true for a missing value;
- ``in`` is true when the value (or, for a list, any chosen code) is one of the listed values;
- ``>``, ``>=``, ``<``, ``<=`` are false for a missing value, for a list, and when a number is compared
  with text; text (ISO dates, HH:MM times) compares as text, which orders ISO values correctly;
- an item hidden by its own rule counts as missing for the rules of later items.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Condition, Instrument

ORDERING = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def is_missing(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, (list, tuple)) and not value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same_kind(a: Any, b: Any) -> bool:
    return (_is_number(a) and _is_number(b)) or (isinstance(a, str) and isinstance(b, str))


def _equals(actual: Any, expected: Any) -> bool:
    if isinstance(actual, (list, tuple)):
        return any(_same_kind(one, expected) and one == expected for one in actual)
    return _same_kind(actual, expected) and actual == expected


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if op == "answered":
        return not is_missing(actual)
    if op == "unanswered":
        return is_missing(actual)
    if op == "!=":
        return not _compare(actual, "==", expected)
    if is_missing(actual):
        return False
    if op == "==":
        return _equals(actual, expected)
    if op == "in":
        return any(_equals(actual, one) for one in expected)
    if isinstance(actual, (list, tuple)) or not _same_kind(actual, expected):
        return False
    return ORDERING[op](actual, expected)


def evaluate(condition: Condition, values: Mapping[str, Any]) -> bool:
    """True when ``condition`` holds for ``values`` (item code -> typed value)."""
    if condition.kind == "all":
        return all(evaluate(child, values) for child in condition.children)
    if condition.kind == "any":
        return any(evaluate(child, values) for child in condition.children)
    if condition.kind == "not":
        return not evaluate(condition.children[0], values)
    return _compare(values.get(condition.item or ""), condition.op or "==", condition.value)


def visible_items(instrument: Instrument, values: Mapping[str, Any]) -> set[str]:
    """Codes of the items shown for these values; hidden items' values count as missing downstream."""
    seen: dict[str, Any] = {}
    visible: set[str] = set()
    for item in instrument.items:
        if item.show_if is None or evaluate(item.show_if, seen):
            visible.add(item.code)
            seen[item.code] = values.get(item.code)
    return visible
