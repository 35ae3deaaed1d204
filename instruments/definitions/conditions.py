"""Parse and check show_if conditions (the rules are in docs/instrument-format.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .model import CHOICE_TYPES, NUMERIC_TYPES, OPS, Condition, Item

if TYPE_CHECKING:
    from .parse import Notes

GROUPS = ("all", "any", "not")


def parse_condition(raw: Any, path: str, earlier: Sequence[Item], all_codes: set, notes: Notes) -> Condition | None:
    """A Condition from its mapping, or None when absent or broken (problems go to ``notes``)."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        notes.add(path, "a condition must be a mapping")
        return None
    groups = [key for key in GROUPS if key in raw]
    if len(groups) + ("item" in raw) != 1:
        notes.add(path, "a condition needs exactly one of item, all, any, not")
        return None
    if "item" in raw:
        return _comparison(raw, path, earlier, all_codes, notes)
    kind = groups[0]
    if kind == "not":
        child = parse_condition(raw["not"], f"{path}.not", earlier, all_codes, notes)
        return Condition("not", children=(child,)) if child else None
    if not isinstance(raw[kind], list) or not raw[kind]:
        notes.add(f"{path}.{kind}", "must be a non-empty list of conditions")
        return None
    children = [
        parse_condition(child, f"{path}.{kind}[{n}]", earlier, all_codes, notes) for n, child in enumerate(raw[kind])
    ]
    if any(child is None for child in children):
        return None
    return Condition(kind, children=tuple(children))  # type: ignore[arg-type]


def _comparison(raw: Mapping, path: str, earlier: Sequence[Item], all_codes: set, notes: Notes):
    code, op = raw.get("item"), raw.get("op")
    target = next((item for item in earlier if item.code == code), None)
    if target is None:
        where = "a later item" if code in all_codes else "an unknown item"
        notes.add(f"{path}.item", f"show_if refers to {where} {code!r}; only earlier items may be used")
    if op not in OPS:
        notes.add(f"{path}.op", f"unknown op {op!r} (one of {', '.join(OPS)})")
        return None
    if op in ("answered", "unanswered"):
        return Condition("item", item=code, op=op) if target else None
    if "value" not in raw:
        notes.add(f"{path}.value", f"op {op!r} needs a value")
        return None
    value = raw["value"]
    if op == "in":
        if not isinstance(value, list) or not value:
            notes.add(f"{path}.value", "op 'in' needs a non-empty list")
            return None
        value = tuple(value)
    if target is None or not _values_fit(target, value, op, f"{path}.value", notes):
        return None
    return Condition("item", item=code, op=op, value=value)


def _values_fit(target: Item, value: Any, op: str, path: str, notes: Notes) -> bool:
    values = value if isinstance(value, tuple) else (value,)
    numeric = target.type in NUMERIC_TYPES
    for one in values:
        is_number = isinstance(one, (int, float)) and not isinstance(one, bool)
        if numeric and not is_number:
            notes.add(path, f"{target.code} holds numbers; {one!r} is not a number")
            return False
        if not numeric and not isinstance(one, str):
            notes.add(path, f"{target.code} holds text; write {one!r} as a quoted string")
            return False
        if target.type in CHOICE_TYPES and op in ("==", "!=", "in") and one not in target.option_codes:
            notes.add(path, f"{one!r} is not an option code of {target.code}")
            return False
        if target.type == "yes_no" and op in ("==", "!=", "in") and one not in (0, 1):
            notes.add(path, f"{target.code} is yes_no: compare with 1 (yes) or 0 (no)")
            return False
    return True
