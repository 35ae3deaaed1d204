"""Write an Instrument as REDCap data dictionary rows (used by instruments.redcap_dd)."""

from __future__ import annotations

import json
from typing import Any

from .model import Instrument, Item, Label
from .redcap_logic import write_logic
from .redcap_read import (
    ANNOTATION,
    CHOICES,
    FORM,
    LABEL,
    LOGIC,
    MAX,
    MIN,
    NAME,
    NOTE,
    REQUIRED,
    SECTION,
    TYPE,
    VALIDATION,
)

DP = {0: "integer", 1: "number_1dp", 2: "number_2dp", 3: "number_3dp", 4: "number_4dp"}


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _structure(item: Item) -> dict[str, str]:
    """Field Type and the columns REDCap uses to check an entry."""
    kind = item.type
    if item.expression is not None:  # REDCap computes it too: its equation in REDCap's syntax
        return {TYPE: "calc", CHOICES: item.expression.to_redcap()}
    if kind in ("single_choice", "multiple_choice"):
        choices = " | ".join(f"{option.code}, {option.label.en}" for option in item.options)
        return {TYPE: "radio" if kind == "single_choice" else "checkbox", CHOICES: choices}
    if kind == "yes_no":
        return {TYPE: "yesno"}
    if kind == "text":
        return {TYPE: "notes" if item.multiline else "text"}
    ranged = {MIN: _num(item.min), MAX: _num(item.max)}
    if kind == "integer_scale":
        return {TYPE: "text", VALIDATION: "integer", **ranged}
    if kind == "number":
        return {TYPE: "text", VALIDATION: DP.get(item.decimals, "number"), **ranged}  # type: ignore[arg-type]
    if kind == "duration":
        return {TYPE: "text", VALIDATION: "number", **ranged}
    validation = {"date": "date_ymd", "time": "time"}.get(kind, "")
    return {TYPE: "text", VALIDATION: validation}  # partial_date and scorer-calculated items are plain text


def _label(label: Label | None) -> dict[str, str] | None:
    return label.to_dict() if label else None


def _form_meta(instrument: Instrument) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "version": instrument.version,
        "title": instrument.title.to_dict(),
        "kind": instrument.kind,
        "respondent": instrument.respondent,
        "repeating": instrument.repeating,
        "licence": instrument.licence,
        "source": instrument.source,
        "scorer": instrument.scorer,
        "scores": [
            {
                "name": s.name,
                "label": s.label.to_dict(),
                "min": s.min,
                "max": s.max,
                "bands": {value: label.to_dict() for value, label in s.bands},
                **({"expression": s.expression.to_edc()} if s.expression else {}),  # REDCap has no place for it
                **({"needs": list(s.needs)} if s.needs else {}),
            }
            for s in instrument.scores
        ],
    }
    if instrument.checks:  # plausibility checks: REDCap's own data quality rules are per project, not per form
        meta["checks"] = [
            {
                "code": c.code,
                "severity": c.severity,
                "expression": c.expression.to_edc(),
                "message": c.message.to_dict(),
            }
            for c in instrument.checks
        ]
    for key in ("short_title", "instructions"):
        if getattr(instrument, key):
            meta[key] = _label(getattr(instrument, key))
    return meta


def _tag(item: Item) -> dict[str, Any]:
    zh: dict[str, Any] = {"label": item.label.zh}
    if item.help:
        zh["help"] = item.help.zh
    if item.options:
        zh["options"] = {str(option.code): option.label.zh for option in item.options}
    if item.formula_note:
        zh["formula_note"] = item.formula_note.zh
    tag: dict[str, Any] = {"type": item.type, "zh": zh}
    if item.anchors:
        tag["anchors"] = {end: label.en for end, label in item.anchors.items()}
        zh["anchors"] = {end: label.zh for end, label in item.anchors.items()}
    if item.unit:
        tag["unit"] = item.unit
    if item.max_length:
        tag["max_length"] = item.max_length
    return tag


def _section_starts(instrument: Instrument) -> dict[str, Any]:
    """First item code -> section, for sections whose items are contiguous (REDCap's only kind)."""
    order = instrument.item_codes()
    starts = {}
    for section in instrument.sections:
        positions = [order.index(code) for code in section.items]
        if positions == list(range(positions[0], positions[0] + len(positions))):
            starts[section.items[0]] = section
    return starts


def _note(item: Item) -> str:
    if item.type == "calculated":
        return item.formula_note.en if item.formula_note else ""
    return item.help.en if item.help else ""


def instrument_rows(instrument: Instrument) -> list[dict[str, str]]:
    items = {item.code: item for item in instrument.items}
    starts = _section_starts(instrument)
    rows = []
    for n, item in enumerate(instrument.items):
        tag = _tag(item)
        if n == 0:
            tag["form"] = _form_meta(instrument)
        section = starts.get(item.code)
        if section:
            tag["section"] = {"code": section.code, "zh": section.title.zh, "items": len(section.items)}
        readonly = "@READONLY " if item.type == "calculated" and item.expression is None else ""
        rows.append(
            {
                NAME: item.code,
                FORM: instrument.code,
                SECTION: section.title.en if section else "",
                LABEL: item.label.en,
                NOTE: _note(item),
                REQUIRED: "y" if item.required else "",
                LOGIC: write_logic(item.show_if, items) if item.show_if else "",
                ANNOTATION: readonly + "@EDC=" + json.dumps(tag, ensure_ascii=False),
                **_structure(item),
            }
        )
    return rows
