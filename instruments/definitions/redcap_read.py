"""Read the rows of one REDCap form into an Instrument (used by instruments.redcap_dd)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from instruments.expressions import ExpressionError, compile_expression

from .model import ITEM_TYPES, Check, Instrument, Item, Label, Option, Problem, ScoreSpec, Section
from .parse import TYPE_KEYS
from .redcap_logic import LogicError, parse_logic

COLUMNS = [
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
]
NAME, FORM, SECTION, TYPE, LABEL, CHOICES, NOTE, VALIDATION, MIN, MAX = COLUMNS[:10]
LOGIC, REQUIRED, ANNOTATION = COLUMNS[11], COLUMNS[12], COLUMNS[17]
DECIMALS = {"integer": 0, "number": None, "number_1dp": 1, "number_2dp": 2, "number_3dp": 3, "number_4dp": 4}
DATES = ("date_ymd", "date_dmy", "date_mdy")
UNSUPPORTED_VALIDATION = ("datetime", "time_mm_ss", "time_hh_mm_ss")


class RowError(ValueError):
    pass


def edc_tag(annotation: str) -> dict[str, Any]:
    """The JSON of an ``@EDC={...}`` action tag in a Field Annotation, or {}."""
    start = annotation.find("@EDC=")
    if start < 0:
        return {}
    try:
        data, _ = json.JSONDecoder().raw_decode(annotation, start + len("@EDC="))
    except json.JSONDecodeError:
        raise RowError("the @EDC= tag in Field Annotation is not valid JSON") from None
    return data if isinstance(data, dict) else {}


def split_forms(rows: list[dict[str, str]]) -> list[tuple[str, list[dict[str, str]]]]:
    forms: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        forms.setdefault(row[FORM], []).append(row)
    return list(forms.items())


def _number(text: str, column: str) -> int | float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise RowError(f"{column} {text!r} is not a number") from None
    return int(value) if value.is_integer() else value


def _choices(text: str, zh: Mapping[str, str]) -> tuple[Option, ...]:
    options = []
    for part in (p.strip() for p in text.split("|")):
        code, comma, label = part.partition(",")
        if not comma or not code.strip().lstrip("-").isdigit():
            raise RowError(f"choice {part!r} is not 'integer code, label'")
        options.append(Option(int(code), Label(label.strip(), zh.get(code.strip(), ""))))
    if not options:
        raise RowError("a choice field needs choices")
    return tuple(options)


def _text_kwargs(row: Mapping[str, str]) -> dict[str, Any]:
    validation = row[VALIDATION].lower()
    if validation in DECIMALS:
        return {
            "type": "number",
            "decimals": DECIMALS[validation],
            "min": _number(row[MIN], MIN),
            "max": _number(row[MAX], MAX),
        }
    if validation in DATES:
        return {"type": "date"}
    if validation == "time":
        return {"type": "time"}
    if validation.startswith(UNSUPPORTED_VALIDATION):
        raise RowError(f"text validation {validation!r} is not supported")
    return {"type": "text"}  # email, phone and the like keep their text; the check is REDCap's


def _slider_kwargs(row: Mapping[str, str], zh: Mapping[str, Any]) -> dict[str, Any]:
    ends = [part.strip() for part in row[CHOICES].split("|")] if row[CHOICES] else []
    anchors = {}
    if ends and ends[0]:
        anchors["min"] = Label(ends[0], zh.get("anchors", {}).get("min", ""))
    if len(ends) > 1 and ends[-1]:
        anchors["max"] = Label(ends[-1], zh.get("anchors", {}).get("max", ""))
    low, high = _number(row[MIN], MIN), _number(row[MAX], MAX)
    return {
        "type": "integer_scale",
        "min": 0 if low is None else low,
        "max": 100 if high is None else high,
        "anchors": anchors,
    }


def _calc_kwargs(row: Mapping[str, str], zh: Mapping[str, Any], names: set[str]) -> dict[str, Any]:
    """A calc field's equation, translated from REDCap's syntax; the Field Note says what it is."""
    try:
        expression = compile_expression(row[CHOICES], names - {row[NAME]}, "redcap")
    except ExpressionError as error:
        raise RowError(f"{CHOICES}: column {error.column}: {error.message}") from None
    note = Label(row[NOTE], zh.get("formula_note", "")) if row[NOTE] else None
    return {"type": "calculated", "expression": expression, "formula_note": note}


def _kwargs(row: Mapping[str, str], zh: Mapping[str, Any], names: set[str]) -> dict[str, Any]:
    kind = row[TYPE].lower()
    if kind in ("radio", "dropdown", "checkbox"):
        single = kind != "checkbox"
        return {
            "type": "single_choice" if single else "multiple_choice",
            "options": _choices(row[CHOICES], zh.get("options", {})),
        }
    if kind in ("yesno", "truefalse"):
        return {"type": "yes_no"}
    if kind == "notes":
        return {"type": "text", "multiline": True}
    if kind == "calc":
        return _calc_kwargs(row, zh, names)
    if kind == "slider":
        return _slider_kwargs(row, zh)
    if kind == "text":
        return _text_kwargs(row)
    raise RowError(f"field type {kind!r} is not supported")


def _refine(kwargs: dict[str, Any], row: Mapping[str, str], tag: Mapping[str, Any]) -> dict[str, Any]:
    """Apply the @EDC tag: our finer type and extras that REDCap has no column for."""
    zh = tag.get("zh", {})
    if tag.get("type") in ITEM_TYPES:
        kwargs["type"] = tag["type"]
    if kwargs["type"] == "calculated" and "formula_note" not in kwargs and row[NOTE]:
        kwargs["formula_note"] = Label(row[NOTE], zh.get("formula_note", ""))
    for key in ("unit", "max_length"):
        if key in tag:
            kwargs[key] = tag[key]
    if "anchors" in tag:
        zh_anchors = zh.get("anchors", {})
        kwargs["anchors"] = {end: Label(en, zh_anchors.get(end, "")) for end, en in tag["anchors"].items()}
    allowed = TYPE_KEYS.get(kwargs["type"], set()) | {"type"}
    return {key: value for key, value in kwargs.items() if key in allowed}


def read_row(row: Mapping[str, str], earlier: Mapping[str, Item], names: set[str]) -> Item:
    """One field; ``names`` are those a calc field may read (the form's entered fields, the calc fields above)."""
    tag = edc_tag(row[ANNOTATION])
    zh = tag.get("zh", {})
    kwargs = _refine(_kwargs(row, zh, names), row, tag)
    note = row[NOTE] if kwargs["type"] != "calculated" else ""
    try:
        show_if = parse_logic(row[LOGIC], earlier) if row[LOGIC] else None
    except LogicError as error:
        raise RowError(f"branching logic: {error}") from None
    return Item(
        code=row[NAME],
        label=Label(row[LABEL], zh.get("label", "")),
        required=row[REQUIRED].lower() == "y" and kwargs["type"] != "calculated",
        help=Label(note, zh.get("help", "")) if note else None,
        show_if=show_if,
        **kwargs,
    )


def _header(form: str, tag: Mapping[str, Any]) -> dict[str, Any]:
    meta = tag.get("form", {})

    def label(key: str) -> Label | None:
        value = meta.get(key)
        return Label(value.get("en", ""), value.get("zh", "")) if isinstance(value, dict) else None

    def bilingual(raw: Mapping) -> Label:
        return Label(raw.get("en", ""), raw.get("zh", ""))

    scores = tuple(
        ScoreSpec(
            s["name"],
            bilingual(s.get("label", {})),
            s.get("min"),
            s.get("max"),
            tuple((value, bilingual(band)) for value, band in (s.get("bands") or {}).items()),
            needs=tuple(s.get("needs") or ()),
        )
        for s in meta.get("scores", [])
    )
    keys = ("kind", "respondent", "repeating", "licence", "source", "scorer")
    plain = {key: meta[key] for key in keys if key in meta}
    return {
        "code": form,
        "version": str(meta.get("version", "1.0")),
        "title": label("title") or Label(form.replace("_", " ").title(), ""),
        "short_title": label("short_title"),
        "instructions": label("instructions"),
        "kind": meta.get("kind", "crf"),
        "scores": scores,
        **plain,
    }


def _score_expressions(
    scores: tuple[ScoreSpec, ...], tag: Mapping[str, Any], items: Mapping[str, Item]
) -> tuple[ScoreSpec, ...]:
    """The expression scores our writer keeps in the form's @EDC tag (edc syntax), compiled like the YAML's."""
    sources = {s["name"]: s["expression"] for s in tag.get("form", {}).get("scores", []) if s.get("expression")}
    compiled, names = [], set(items)
    for spec in scores:
        if spec.name in sources:
            try:
                spec = replace(spec, expression=compile_expression(sources[spec.name], names))
            except ExpressionError as error:
                raise RowError(f"score {spec.name}: expression: column {error.column}: {error.message}") from None
        compiled.append(spec)
        names.add(spec.name)
    return tuple(compiled)


def _checks(instrument: Instrument, tag: Mapping[str, Any]) -> tuple[Check, ...]:
    """The plausibility checks our writer keeps in the form's @EDC tag, compiled like the YAML's."""
    order = instrument.item_codes() + instrument.score_names()
    checks = []
    for raw in tag.get("form", {}).get("checks", []):
        try:
            expression = compile_expression(raw["expression"], set(order))
        except ExpressionError as error:
            raise RowError(f"check {raw.get('code')}: expression: column {error.column}: {error.message}") from None
        message = Label(raw["message"].get("en", ""), raw["message"].get("zh", ""))
        checks.append(Check.of(raw["code"], expression, raw["severity"], message, order))
    return tuple(checks)


def _sections(rows: list[dict[str, str]], items: Mapping[str, Item]) -> tuple[Section, ...]:
    """A Section Header opens a section that runs to the next header, or for the tag's item count."""
    sections: list[tuple[str, Label, list[str]]] = []
    room = 0
    for row in rows:
        if row[SECTION]:
            meta = edc_tag(row[ANNOTATION]).get("section", {})
            code = meta.get("code", f"s{len(sections) + 1}")
            sections.append((code, Label(row[SECTION], meta.get("zh", "")), []))
            room = meta.get("items", len(rows))
        if sections and row[NAME] in items and room > 0:
            sections[-1][2].append(row[NAME])
            room -= 1
    return tuple(Section(code, title, tuple(codes)) for code, title, codes in sections if codes)


def _entered_names(rows: list[dict[str, str]]) -> set[str]:
    return {row[NAME] for row in rows if row[TYPE].lower() not in ("calc", "descriptive")}


def read_form(
    form: str, rows: list[dict[str, str]], file: str, languages: tuple[str, ...] = ("en", "zh")
) -> tuple[Instrument | None, list[Problem]]:
    """The form's Instrument, or None with every problem (by row); labels must be given in ``languages``."""
    items: dict[str, Item] = {}
    problems = []
    header: dict[str, Any] = {}
    entered = _entered_names(rows)
    for n, row in enumerate(rows):
        where = f"row {row['#']} ({row[NAME]})"
        try:
            if n == 0:
                header = _header(form, edc_tag(row[ANNOTATION]))
            if row[NAME] in items:
                raise RowError(f"variable {row[NAME]!r} appears twice")
            if row[TYPE].lower() != "descriptive":
                items[row[NAME]] = read_row(row, items, entered | set(items))
        except RowError as error:
            problems.append(Problem(file, where, str(error)))
    if problems:
        return None, problems
    try:
        header["scores"] = _score_expressions(header["scores"], edc_tag(rows[0][ANNOTATION]), items)
        instrument = Instrument(items=tuple(items.values()), sections=_sections(rows, items), **header)
        instrument = replace(instrument, checks=_checks(instrument, edc_tag(rows[0][ANNOTATION])))
    except RowError as error:
        return None, [Problem(file, f"row {rows[0]['#']} ({rows[0][NAME]})", str(error))]
    problems = label_problems(instrument, rows, file, languages)
    return (None, problems) if problems else (instrument, [])


def _labels(item: Item) -> list[tuple[str, Label | None]]:
    """Where each of a field's texts lives in the dictionary, and the text."""
    found: list[tuple[str, Label | None]] = [(LABEL, item.label), (f"{NOTE} (help)", item.help)]
    found += [(f"{NOTE} (formula note)", item.formula_note)]
    found += [(f"choice {option.code}", option.label) for option in item.options]
    found += [(f"slider {end} label", label) for end, label in item.anchors.items()]
    return found


def label_problems(
    instrument: Instrument, rows: list[dict[str, str]], file: str, languages: tuple[str, ...]
) -> list[Problem]:
    """One problem per row whose texts lack a required language (a REDCap export has no Chinese: read it with
    ``languages=("en",)`` for a study run in English). Chinese comes from the row's @EDC tag."""
    by_name = {row[NAME]: row for row in rows}
    problems = []
    for n, item in enumerate(instrument.items):
        texts = _labels(item)
        if n == 0:
            texts += [("form title", instrument.title)]
        texts += [
            (f"section {section.code}", section.title)
            for section in instrument.sections
            if section.items[0] == item.code
        ]
        for lang in languages:
            missing = [where for where, label in texts if label is not None and not getattr(label, lang).strip()]
            if missing:
                row = by_name[item.code]
                where = f"row {row['#']} ({item.code})"
                problems.append(Problem(file, where, f"missing {lang} label: {', '.join(missing)}"))
    return problems
