"""Reading the `eligibility` and `rules` sections of a protocol file."""

from __future__ import annotations

from typing import Any

from . import limits
from .reader import Reader, gettext_noop, join, suggestion
from .schema import (
    FIELD_TYPES,
    RULE_OPS,
    Combination,
    Condition,
    Criterion,
    Eligibility,
    EligibilityField,
    Option,
    ReassessmentRule,
    Text,
)

RULE_KEYS = (
    "code",
    "kind",
    "instrument",
    "score",
    "baseline_visit",
    "visit",
    "min_reduction_percent",
    "flag",
)


def read_eligibility(r: Reader, data: Any, path: str) -> Eligibility:
    if data is None or r.mapping(data, path, (), ("fields", "inclusion", "exclusion")) is None:
        return Eligibility()
    fields = []
    for item_path, item in r.items(data, "fields", path, limits.MAX_FIELDS):
        value = _read_field(r, item, item_path)
        if value is not None:
            fields.append(value)
    by_code = {f.code: f for f in fields}
    inclusion = _read_criteria(r, data, "inclusion", path, by_code)
    exclusion = _read_criteria(r, data, "exclusion", path, by_code)
    _check_codes(r, path, by_code, inclusion + exclusion)
    return Eligibility(fields=tuple(fields), inclusion=inclusion, exclusion=exclusion)


def _check_codes(r: Reader, path: str, fields: dict, criteria: tuple[Criterion, ...]) -> None:
    # Unruled criteria store their yes/no answer under their own code, so codes share one namespace.
    seen = set(fields)
    for criterion in criteria:
        if criterion.code in seen:
            r.add(
                join(path, criterion.kind),
                gettext_noop("code '%(code)s' is used twice in eligibility"),
                code=criterion.code,
            )
        seen.add(criterion.code)


def _read_field(r: Reader, data: Any, path: str) -> EligibilityField | None:
    if r.mapping(data, path, ("code", "label", "type"), ("unit", "options", "source")) is None:
        return None
    options = []
    for item_path, item in r.items(data, "options", path, limits.MAX_OPTIONS):
        if r.mapping(item, item_path, ("code", "en", "zh")) is not None:
            options.append(Option(item["code"], _option_text(r, item, item_path)))
    code, label = r.string(data, "code", path), r.text(data, "label", path)
    kind = r.choice(data, "type", path, FIELD_TYPES)
    if kind == "choice" and not options:
        r.add(join(path, "options"), gettext_noop("a choice field needs options"))
    if None in (code, label, kind):
        return None
    return EligibilityField(
        code, label, kind, r.string(data, "unit", path), tuple(options), r.string(data, "source", path)
    )


def _option_text(r: Reader, item: dict, path: str) -> Text:
    return Text(r.string(item, "en", path) or "", r.string(item, "zh", path) or "")


def _read_criteria(r: Reader, data: dict, kind: str, path: str, fields: dict) -> tuple[Criterion, ...]:
    out = []
    for item_path, item in r.items(data, kind, path, limits.MAX_CRITERIA):
        if r.mapping(item, item_path, ("code", "text"), ("rule",)) is None:
            continue
        code, text = r.string(item, "code", item_path), r.text(item, "text", item_path)
        rule = read_rule(r, item["rule"], join(item_path, "rule"), fields) if "rule" in item else None
        if code is not None and text is not None:
            out.append(Criterion(code, kind, text, rule))
    return tuple(out)


def read_rule(r: Reader, data: Any, path: str, fields: dict, depth: int = 1):
    """`{field, op, value}`, `{all: [...]}`, `{any: [...]}` or `{not: rule}`, at most MAX_RULE_DEPTH deep."""
    if isinstance(data, dict) and len(data) == 1 and next(iter(data)) in ("all", "any", "not"):
        if depth > limits.MAX_RULE_DEPTH:
            r.add(
                path,
                gettext_noop("all/any/not are nested more than %(limit)s deep"),
                limit=limits.MAX_RULE_DEPTH,
            )
            return None
        return _read_combination(r, data, path, fields, depth)
    if r.mapping(data, path, ("field", "op", "value")) is None or "value" not in data:
        return None
    name, op = r.string(data, "field", path), r.choice(data, "op", path, RULE_OPS)
    value = _read_value(r, data.get("value"), op, join(path, "value"))
    if name is None or op is None or value is None:
        return None
    if name not in fields:
        close = suggestion(name, fields)
        msgid = (
            gettext_noop(
                "unknown field '%(field)s'; declare it under eligibility.fields (did you mean '%(suggestion)s'?)"
            )
            if close
            else gettext_noop("unknown field '%(field)s'; declare it under eligibility.fields")
        )
        r.add(join(path, "field"), msgid, field=name, suggestion=close)
        return None
    if fields[name].type == "boolean" and op not in ("==", "!="):
        r.add(join(path, "op"), gettext_noop("a yes/no field takes == or !=, not %(op)s"), op=op)
        return None
    return Condition(name, op, value)


def _read_combination(r: Reader, data: dict, path: str, fields: dict, depth: int) -> Combination | None:
    mode, inner = next(iter(data.items()))
    if mode == "not":
        sub = read_rule(r, inner, join(path, "not"), fields, depth + 1)
        return Combination("not", (sub,)) if sub is not None else None
    if not isinstance(inner, list) or not inner:
        r.add(join(path, mode), gettext_noop("expected a non-empty list of rules"))
        return None
    subs = [read_rule(r, s, join(join(path, mode), i), fields, depth + 1) for i, s in enumerate(inner)]
    return None if None in subs else Combination(mode, tuple(subs))


def _read_value(r: Reader, value: Any, op: str | None, path: str) -> Any:
    if value is None:
        r.add(path, gettext_noop("a rule needs a value to compare with"))
    elif op == "between" and not (isinstance(value, list) and len(value) == 2):
        r.add(path, gettext_noop("`between` needs a list of two bounds [low, high]"))
    elif op == "in" and not isinstance(value, list):
        r.add(path, gettext_noop("`in` needs a list of values"))
    else:
        return tuple(value) if isinstance(value, list) else value  # tuples keep the Protocol hashable
    return None


def read_rules(r: Reader, data: dict, known) -> list[tuple[str, ReassessmentRule]]:
    out = []
    for path, item in r.items(data, "rules", "", limits.MAX_RULES):
        if r.mapping(item, path, RULE_KEYS) is None:
            continue
        r.choice(item, "kind", path, ("reassessment",))
        values = dict(
            code=r.string(item, "code", path),
            instrument=r.string(item, "instrument", path),
            score=r.string(item, "score", path),
            baseline_visit=r.string(item, "baseline_visit", path),
            visit=r.string(item, "visit", path),
            min_reduction_percent=r.number(item, "min_reduction_percent", path),
            flag=r.text(item, "flag", path),
        )
        if values["instrument"] is not None and values["instrument"] not in known.instruments:
            r.add(join(path, "instrument"), gettext_noop("unknown instrument '%(code)s'"), code=values["instrument"])
        if None not in values.values():
            out.append((path, ReassessmentRule(**values)))
    return out
