"""Compare two versions of one study's protocol, for the amendment history."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from .schema import Protocol, Text
from .specimens import biobank_of

VISIT_FIELDS = (
    "label",
    "anchor",
    "offset_days",
    "window_before",
    "window_after",
    "arms",
    "repeating",
    "survey_grace_days",
)


@dataclass(frozen=True)
class Change:
    kind: str  # added | removed | changed
    subject: str  # what changed, e.g. "visit 'm3'" or "activity 'phq9' at visit 'w2'"
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.subject} {self.kind}" + (f": {self.detail}" if self.detail else "")


def diff_protocols(old: Protocol, new: Protocol) -> list[Change]:
    if old.study.code != new.study.code:
        raise ValueError(f"different studies: {old.study.code} and {new.study.code}")
    changes = _field_changes("study", old.study, new.study, [f.name for f in fields(old.study)])
    for name, what in (("sites", "site '{}'"), ("arms", "arm '{}'"), ("anchors", "anchor '{}'")):
        changes += _keyed(what, getattr(old, name), getattr(new, name), _all_fields)
    changes += _keyed("visit '{}'", old.visits, new.visits, _visit_changes)
    changes += _keyed("eligibility field '{}'", old.eligibility.fields, new.eligibility.fields, _all_fields)
    changes += _keyed("criterion '{}'", old.eligibility.criteria, new.eligibility.criteria, _all_fields)
    changes += _keyed("rule '{}'", old.rules, new.rules, _all_fields)
    changes += _keyed("discontinuation '{}'", old.discontinuation, new.discontinuation, _all_fields)
    changes += _field_changes("protocol", old, new, ["analysis_visits"])
    changes += _keyed("specimen type '{}'", biobank_of(old).types, biobank_of(new).types, _all_fields)
    return changes


def _keyed(what: str, old_items, new_items, compare, key=lambda item: item.code) -> list[Change]:
    old_by, new_by = {key(i): i for i in old_items}, {key(i): i for i in new_items}
    out = [Change("removed", what.format(k)) for k in old_by if k not in new_by]
    out += [Change("added", what.format(k)) for k in new_by if k not in old_by]
    for k in old_by.keys() & new_by.keys():
        out += compare(what.format(k), old_by[k], new_by[k])
    return sorted(out, key=lambda c: (c.subject, c.kind, c.detail))


def _all_fields(subject: str, old, new) -> list[Change]:
    return _field_changes(subject, old, new, [f.name for f in fields(old) if f.name != "code"])


def _visit_changes(subject: str, old, new) -> list[Change]:
    out = _field_changes(subject, old, new, VISIT_FIELDS)
    template = "activity '{}' at " + subject.replace("{", "{{").replace("}", "}}")
    out += _keyed(template, old.activities, new.activities, _all_fields, key=lambda a: a.key)
    return out


def _field_changes(subject: str, old, new, names) -> list[Change]:
    out = []
    for name in names:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            shown = [("all" if name == "arms" and not v else _show(v)) for v in (before, after)]
            out.append(Change("changed", subject, f"{name} {shown[0]} -> {shown[1]}"))
    return out


def _show(value: Any) -> str:
    if isinstance(value, Text):
        return " / ".join(f'"{t}"' for t in (value.en, value.zh) if t)  # a one-language study has one
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if value is None:
        return "none"
    if hasattr(value, "__dataclass_fields__"):
        return "{" + ", ".join(f"{f.name}={_show(getattr(value, f.name))}" for f in fields(value)) + "}"
    return str(value)
