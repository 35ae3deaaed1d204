"""Turn a parsed YAML mapping into an Instrument, noting every problem on the way.

Parsing never stops at the first problem: each check appends a Problem with the
key path, so an author fixes a file in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from instruments.expressions import Expression, ExpressionError, compile_expression

from .conditions import parse_condition
from .model import (
    CHOICE_TYPES,
    ITEM_TYPES,
    KINDS,
    RESPONDENTS,
    SEVERITIES,
    Check,
    Instrument,
    Item,
    Label,
    Option,
    Problem,
    ScoreSpec,
    Section,
)

SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
TOP_KEYS = {
    "code",
    "version",
    "title",
    "short_title",
    "kind",
    "respondent",
    "repeating",
    "licence",
    "source",
    "scorer",
    "instructions",
    "option_sets",
    "items",
    "scores",
    "sections",
    "checks",
}
CHECK_KEYS = {"code", "expression", "severity", "message"}
COMMON_ITEM_KEYS = {"code", "type", "label", "required", "help", "show_if"}
TYPE_KEYS = {
    "integer_scale": {"min", "max", "anchors"},
    "single_choice": {"options"},
    "multiple_choice": {"options"},
    "number": {"min", "max", "unit", "decimals"},
    "duration": {"min", "max"},
    "text": {"max_length", "multiline"},
    "calculated": {"formula_note", "expression"},
}
TYPE_ALIASES = {"calc": "calculated"}  # REDCap's name for it


# The languages a label must have. The built-in library is bilingual; a study's own definitions need only the
# languages the study declares (``languages`` of parse_definition), written as the label keys "en" and "zh".
BOTH_LANGUAGES = ("en", "zh")


class Notes:
    """Collects problems for one file, and knows which label languages that file must give."""

    def __init__(self, file: str, languages: tuple[str, ...] = BOTH_LANGUAGES):
        self.file = file
        self.languages = languages
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.file, path, message))


def parse_label(value: Any, path: str, notes: Notes, *, required: bool = True) -> Label | None:
    if value is None and not required:
        return None
    if not isinstance(value, Mapping):
        notes.add(path, f"must be a mapping with {' and '.join(notes.languages)} text")
        return Label("", "")
    for lang in ("en", "zh"):
        given = value.get(lang)
        if given is not None and not isinstance(given, str):
            notes.add(f"{path}.{lang}", f"the {lang} label must be text")
        elif lang in notes.languages and not (given or "").strip():
            notes.add(f"{path}.{lang}", f"missing {lang} label")
    return Label(_text(value.get("en")), _text(value.get("zh")))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse_options(value: Any, path: str, notes: Notes) -> tuple[Option, ...]:
    if not isinstance(value, list) or not value:
        notes.add(path, "must be a non-empty list of {code, en, zh}")
        return ()
    options, seen = [], set()
    for n, raw in enumerate(value):
        where = f"{path}[{n}]"
        if not isinstance(raw, Mapping):
            notes.add(where, "must be a mapping {code, en, zh}")
            continue
        code = raw.get("code")
        if not isinstance(code, int) or isinstance(code, bool):
            notes.add(f"{where}.code", "option code must be an integer")
            continue
        if code in seen:
            notes.add(f"{where}.code", f"duplicate option code {code}")
        seen.add(code)
        options.append(Option(code, parse_label(raw, where, notes)))
    return tuple(options)


def number_key(raw: Mapping, key: str, path: str, notes: Notes) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        notes.add(f"{path}.{key}", "must be a number")
        return None
    return value


def int_key(raw: Mapping, key: str, path: str, notes: Notes, *, low: int) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        notes.add(f"{path}.{key}", f"must be an integer >= {low}")
        return None
    return value


def item_options(raw: Mapping, path: str, option_sets: Mapping, notes: Notes) -> tuple[Option, ...]:
    value = raw.get("options")
    if isinstance(value, str):
        if value not in option_sets:
            notes.add(f"{path}.options", f"option set {value!r} is not declared in option_sets")
            return ()
        return option_sets[value]
    return parse_options(value, f"{path}.options", notes)


def check_item_keys(raw: Mapping, kind: str, path: str, notes: Notes) -> None:
    allowed = COMMON_ITEM_KEYS | TYPE_KEYS.get(kind, set())
    for key in sorted(set(raw) - allowed):
        notes.add(f"{path}.{key}", f"key not allowed for type {kind}")


def check_range(item: Item, path: str, notes: Notes) -> None:
    if item.type == "integer_scale":
        for key in ("min", "max"):
            if getattr(item, key) is None:
                notes.add(f"{path}.{key}", "integer_scale needs min and max")
    if item.min is not None and item.max is not None and item.min > item.max:
        notes.add(path, f"min {item.min} > max {item.max}")


def parse_anchors(raw: Any, path: str, notes: Notes) -> dict[str, Label]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not set(raw) <= {"min", "max"}:
        notes.add(path, "anchors must be {min: {en, zh}, max: {en, zh}}")
        return {}
    return {end: parse_label(label, f"{path}.{end}", notes) for end, label in raw.items()}


def parse_item(raw: Any, path: str, option_sets: Mapping, notes: Notes) -> Item | None:
    if not isinstance(raw, Mapping):
        notes.add(path, "an item must be a mapping")
        return None
    code, kind = raw.get("code"), raw.get("type")
    kind = TYPE_ALIASES.get(kind, kind) if isinstance(kind, str) else kind
    if not isinstance(code, str) or not SNAKE.match(code):
        notes.add(f"{path}.code", f"item code {code!r} must be lower snake_case")
        code = str(code)
    if kind not in ITEM_TYPES:
        notes.add(f"{path}.type", f"unknown type {kind!r} (one of {', '.join(ITEM_TYPES)})")
        return None
    check_item_keys(raw, kind, path, notes)
    if not isinstance(raw.get("required", True), bool):
        notes.add(f"{path}.required", "must be true or false")
    item = Item(
        code=code,
        type=kind,
        label=parse_label(raw.get("label"), f"{path}.label", notes),
        required=raw.get("required", True) is True and kind != "calculated",
        help=parse_label(raw.get("help"), f"{path}.help", notes, required=False),
        options=item_options(raw, path, option_sets, notes) if kind in CHOICE_TYPES else (),
        min=number_key(raw, "min", path, notes),
        max=number_key(raw, "max", path, notes),
        decimals=int_key(raw, "decimals", path, notes, low=0),
        unit=str(raw["unit"]) if raw.get("unit") is not None else None,
        max_length=int_key(raw, "max_length", path, notes, low=1),
        multiline=raw.get("multiline") is True,
        anchors=parse_anchors(raw.get("anchors"), f"{path}.anchors", notes),
        formula_note=parse_label(raw.get("formula_note"), f"{path}.formula_note", notes, required=False),
    )
    check_range(item, path, notes)
    return item


def parse_items(data: Mapping, code: str, option_sets: Mapping, notes: Notes) -> list[Item]:
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        notes.add("items", "must be a non-empty list")
        return []
    items: list[Item] = []
    all_codes = {raw.get("code") for raw in raw_items if isinstance(raw, Mapping)}
    entered = _entered_codes(raw_items)
    for n, raw in enumerate(raw_items):
        item = parse_item(raw, f"items[{n}]", option_sets, notes)
        if item is None:
            continue
        if any(other.code == item.code for other in items):
            notes.add(f"items[{n}].code", f"duplicate item code {item.code!r}")
        if not item.code.startswith(f"{code}_"):
            notes.add(f"items[{n}].code", f"item code {item.code!r} must start with {code + '_'!r}")
        show_if = parse_condition(raw.get("show_if"), f"items[{n}].show_if", items, all_codes, notes)
        names = entered | {earlier.code for earlier in items}
        expression = item_expression(raw, item, f"items[{n}]", names, notes)
        items.append(replace(item, show_if=show_if, expression=expression))
    return items


def parse_expression(raw: Any, path: str, names: set[str], notes: Notes) -> Expression | None:
    """Compile an ``expression:``; a mistake is a problem at ``path`` with its column."""
    if not isinstance(raw, str) or not raw.strip():
        notes.add(path, "must be an expression (text)")
        return None
    try:
        return compile_expression(raw, names)
    except ExpressionError as error:
        notes.add(path, f"column {error.column}: {error.message}")
        return None


def item_expression(raw: Mapping, item: Item, path: str, names: set[str], notes: Notes) -> Expression | None:
    """A calculated item's expression, reading ``names``: the entered items and the calculated items above it
    (they are computed in order)."""
    if item.type != "calculated" or "expression" not in raw:
        return None
    return parse_expression(raw["expression"], f"{path}.expression", names - {item.code}, notes)


def _entered_codes(raw_items: list) -> set[str]:
    return {
        raw["code"]
        for raw in raw_items
        if isinstance(raw, Mapping) and isinstance(raw.get("code"), str) and not _is_calculated(raw.get("type"))
    }


def _is_calculated(kind: Any) -> bool:
    return isinstance(kind, str) and TYPE_ALIASES.get(kind, kind) == "calculated"


def parse_option_sets(data: Mapping, notes: Notes) -> dict[str, tuple[Option, ...]]:
    raw = data.get("option_sets") or {}
    if not isinstance(raw, Mapping):
        notes.add("option_sets", "must be a mapping name -> list of options")
        return {}
    return {name: parse_options(value, f"option_sets.{name}", notes) for name, value in raw.items()}


def parse_scores(data: Mapping, notes: Notes, items: list[Item]) -> tuple[ScoreSpec, ...]:
    raw = data.get("scores") or []
    if not isinstance(raw, list):
        notes.add("scores", "must be a list")
        return ()
    specs: list[ScoreSpec] = []
    item_codes = {item.code for item in items}
    for n, spec in enumerate(raw):
        path = f"scores[{n}]"
        if not isinstance(spec, Mapping) or not isinstance(spec.get("name"), str):
            notes.add(path, "must be a mapping with a name")
            continue
        if not SNAKE.match(spec["name"]) or any(s.name == spec["name"] for s in specs):
            notes.add(f"{path}.name", f"score name {spec['name']!r} must be unique lower snake_case")
        if spec["name"] in item_codes:
            notes.add(f"{path}.name", f"score name {spec['name']!r} is also an item code")
        low, high = number_key(spec, "min", path, notes), number_key(spec, "max", path, notes)
        if low is not None and high is not None and low > high:
            notes.add(path, f"min {low} > max {high}")
        label = parse_label(spec.get("label"), f"{path}.label", notes)
        bands = parse_bands(spec.get("bands"), path, notes)
        # An expression score reads every item (entered or calculated) and the scores listed above it.
        names = item_codes | {s.name for s in specs}
        expression = None
        if "expression" in spec:
            expression = parse_expression(spec["expression"], f"{path}.expression", names, notes)
        needs = parse_needs(spec.get("needs"), f"{path}.needs", names, notes)
        specs.append(ScoreSpec(spec["name"], label, low, high, bands, expression, needs))
    return tuple(specs)


def parse_needs(raw: Any, path: str, names: set[str], notes: Notes) -> tuple[str, ...]:
    """``needs: [codes]``: the items and the scores above it that a score is computed from."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(code, str) for code in raw):
        notes.add(path, "must be a list of item codes and score names")
        return ()
    for n, code in enumerate(raw):
        if code not in names:
            notes.add(f"{path}[{n}]", f"{code!r} is not an item or a score listed above")
    return tuple(code for code in raw if code in names)


def calculation_problems(instrument: Instrument, data: Mapping, notes: Notes) -> None:
    """Without a scorer, every calculated item needs an expression: nothing else would compute it."""
    if instrument.scorer or not isinstance(data.get("items"), list):
        return
    for n, raw in enumerate(data["items"]):
        if isinstance(raw, Mapping) and _is_calculated(raw.get("type")) and "expression" not in raw:
            notes.add(f"items[{n}]", "a calculated item needs an expression when the instrument has no scorer")


def parse_bands(raw, path: str, notes: Notes) -> tuple[tuple[str, Label], ...]:
    """``bands: {value: {en, zh}}``: the labels shown for a category score such as a severity band."""
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        notes.add(f"{path}.bands", "must be a mapping of band value to {en, zh} label")
        return ()
    return tuple((str(value), parse_label(label, f"{path}.bands.{value}", notes)) for value, label in raw.items())


def parse_sections(data: Mapping, items: list[Item], notes: Notes) -> tuple[Section, ...]:
    raw = data.get("sections") or []
    known, placed = {item.code for item in items}, set()
    sections = []
    for n, section in enumerate(raw if isinstance(raw, list) else []):
        path = f"sections[{n}]"
        if not isinstance(section, Mapping) or not isinstance(section.get("items"), list):
            notes.add(path, "must be a mapping {code, title, items: [item codes]}")
            continue
        for m, code in enumerate(section["items"]):
            if code not in known:
                notes.add(f"{path}.items[{m}]", f"unknown item {code!r}")
            elif code in placed:
                notes.add(f"{path}.items[{m}]", f"item {code!r} is already in another section")
            placed.add(code)
        title = parse_label(section.get("title"), f"{path}.title", notes)
        sections.append(Section(str(section.get("code", f"s{n + 1}")), title, tuple(section["items"])))
    if not isinstance(raw, list):
        notes.add("sections", "must be a list")
    return tuple(sections)


def parse_checks(data: Mapping, instrument: Instrument, notes: Notes) -> tuple[Check, ...]:
    """``checks: [{code, expression, severity, message}]``: plausibility checks over the items and scores."""
    raw = data.get("checks") or []
    if not isinstance(raw, list):
        notes.add("checks", "must be a list of {code, expression, severity, message}")
        return ()
    order = instrument.item_codes() + instrument.score_names()
    checks: list[Check] = []
    for n, spec in enumerate(raw):
        check = parse_check(spec, f"checks[{n}]", order, notes)
        if check is not None and any(earlier.code == check.code for earlier in checks):
            notes.add(f"checks[{n}].code", f"duplicate check code {check.code!r}")
        elif check is not None:
            checks.append(check)
    return tuple(checks)


def parse_check(spec: Any, path: str, order: list[str], notes: Notes) -> Check | None:
    if not isinstance(spec, Mapping):
        notes.add(path, "must be a mapping {code, expression, severity, message}")
        return None
    for key in sorted(set(spec) - CHECK_KEYS):
        notes.add(f"{path}.{key}", "unknown key")
    code, severity = spec.get("code"), spec.get("severity")
    if not isinstance(code, str) or not SNAKE.match(code):
        notes.add(f"{path}.code", f"check code {code!r} must be lower snake_case")
    if severity not in SEVERITIES:
        notes.add(f"{path}.severity", f"must be one of {', '.join(SEVERITIES)}; got {severity!r}")
    message = parse_label(spec.get("message"), f"{path}.message", notes)
    expression = parse_expression(spec.get("expression"), f"{path}.expression", set(order), notes)
    if expression is None or not isinstance(code, str) or severity not in SEVERITIES or message is None:
        return None
    return Check.of(code, expression, str(severity), message, order)


def parse_header(data: Mapping, notes: Notes) -> dict[str, Any]:
    for key in sorted(set(data) - TOP_KEYS):
        notes.add(key, "unknown key")
    code, version = data.get("code"), data.get("version")
    if not isinstance(code, str) or not SNAKE.match(code):
        notes.add("code", f"instrument code {code!r} must be lower snake_case")
    if not isinstance(version, str) or not version:
        notes.add("version", 'must be a quoted string such as "1.0"')
    if data.get("kind", "scale") not in KINDS:
        notes.add("kind", f"must be one of {', '.join(KINDS)}")
    if data.get("respondent", "participant") not in RESPONDENTS:
        notes.add("respondent", f"must be one of {', '.join(RESPONDENTS)}")
    return {
        "code": str(code),
        "version": str(version),
        "title": parse_label(data.get("title"), "title", notes),
        "short_title": parse_label(data.get("short_title"), "short_title", notes, required=False),
        "kind": data.get("kind", "scale"),
        "respondent": data.get("respondent", "participant"),
        "repeating": data.get("repeating") is True,
        "licence": str(data.get("licence") or ""),
        "source": str(data.get("source") or ""),
        "scorer": data.get("scorer"),
        "instructions": parse_label(data.get("instructions"), "instructions", notes, required=False),
    }


def parse_definition(
    data: Any, file: str = "<definition>", *, languages: tuple[str, ...] = BOTH_LANGUAGES
) -> tuple[Instrument | None, list[Problem]]:
    """Build an Instrument from a mapping; return it (or None) with every problem found.

    ``languages`` ("en", "zh" or both) are the label languages required; the other may be given or left out.
    """
    notes = Notes(file, languages)
    if not isinstance(data, Mapping):
        notes.add("", "the file must hold a mapping")
        return None, notes.problems
    header = parse_header(data, notes)
    items = parse_items(data, header["code"], parse_option_sets(data, notes), notes)
    instrument = Instrument(
        **header,
        items=tuple(items),
        scores=parse_scores(data, notes, items),
        sections=parse_sections(data, items, notes),
    )
    calculation_problems(instrument, data, notes)
    instrument = replace(instrument, checks=parse_checks(data, instrument, notes))
    return instrument, notes.problems
