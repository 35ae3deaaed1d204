"""The instrument library as the pages show it, and a definition written back as our YAML format."""

from __future__ import annotations

from typing import Any

import yaml

from .definitions import Instrument, Item, Label
from .registry import get_library


def instrument_catalogue() -> list[dict[str, Any]]:
    """One row per instrument code: its latest definition and every version, sorted by code."""
    library = get_library()
    codes = sorted({code for code, _version in library})
    return [{"instrument": library.latest(code), "versions": library.versions(code)} for code in codes]


def _label(label: Label | None) -> dict[str, str] | None:
    return label.to_dict() if label is not None else None


def _item(item: Item) -> dict[str, Any]:
    out: dict[str, Any] = {"code": item.code, "type": item.type, "label": item.label.to_dict()}
    if not item.required:
        out["required"] = False
    optional = {
        "help": _label(item.help),
        "show_if": item.show_if.to_dict() if item.show_if else None,
        "min": item.min,
        "max": item.max,
        "decimals": item.decimals,
        "unit": item.unit,
        "max_length": item.max_length,
        "multiline": item.multiline or None,
        "anchors": {end: label.to_dict() for end, label in item.anchors.items()} or None,
        "formula_note": _label(item.formula_note),
        "expression": item.expression.to_edc() if item.expression else None,
    }
    out.update({key: value for key, value in optional.items() if value is not None})
    if item.options:
        out["options"] = [{"code": option.code, **option.label.to_dict()} for option in item.options]
    return out


def definition_dict(instrument: Instrument) -> dict[str, Any]:
    """The mapping parse_definition reads back into the same Instrument."""
    out: dict[str, Any] = {
        "code": instrument.code,
        "version": instrument.version,
        "title": instrument.title.to_dict(),
    }
    if instrument.short_title:
        out["short_title"] = instrument.short_title.to_dict()
    out.update(
        {
            "kind": instrument.kind,
            "respondent": instrument.respondent,
            "repeating": instrument.repeating,
            "licence": instrument.licence,
            "source": instrument.source,
            "scorer": instrument.scorer,
        }
    )
    if instrument.instructions:
        out["instructions"] = instrument.instructions.to_dict()
    out["items"] = [_item(item) for item in instrument.items]
    if instrument.scores:
        out["scores"] = [
            {
                "name": spec.name,
                "label": spec.label.to_dict(),
                **{key: value for key, value in (("min", spec.min), ("max", spec.max)) if value is not None},
                **({"bands": {value: label.to_dict() for value, label in spec.bands}} if spec.bands else {}),
                **({"expression": spec.expression.to_edc()} if spec.expression else {}),
            }
            for spec in instrument.scores
        ]
    if instrument.sections:
        out["sections"] = [
            {"code": section.code, "title": section.title.to_dict(), "items": list(section.items)}
            for section in instrument.sections
        ]
    return out


def definition_yaml(instrument: Instrument) -> str:
    return yaml.safe_dump(definition_dict(instrument), allow_unicode=True, sort_keys=False, width=120)
