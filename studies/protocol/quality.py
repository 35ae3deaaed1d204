"""The optional `quality_rules` section of a protocol file: data checks that open queries automatically.

Four kinds (see docs/data-quality-rules.md):

* `range`: an item or score of an instrument outside a plausible `min`/`max`;
* `before`: an `earlier` date that falls after a `later` date (`consent`, `visit` = the visit's completion
  date, or `{instrument, item}` = a date item of a form at the same visit);
* `change`: an item or score whose relative change from the previous visit that has a value exceeds
  `max_percent`;
* `required_at_visit`: an item left empty at one of `visits` once the form is complete or the visit done;
* `check`: a plausibility check run when the form is saved (not afterwards): an `expression` over the form's items
  and scores that must hold, with a `severity` (`error` refuses the save, `warning` needs a confirmation with a
  reason, which opens a query). ``protocol_checks`` compiles them against the form's definition.

Pure Python, like the rest of studies.protocol: the queries app evaluates these rules. The parser knows
only instrument codes; whether a rule's item or score exists in that instrument is checked by
``check_quality_fields`` against the definitions the caller passes in (a typo would otherwise never fire).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from instruments.definitions.model import SEVERITIES, Check, Label
from instruments.expressions import ExpressionError, compile_expression

from . import limits
from .reader import Problem, Reader, gettext_noop, join, suggestion
from .schema import Text

QUALITY_KINDS = ("range", "before", "change", "required_at_visit", "check")
DATE_SOURCES = ("consent", "visit")
COMMON_KEYS = ("code", "kind", "message")
KIND_KEYS = {
    "range": (("instrument",), ("item", "score", "min", "max", "visits")),
    "before": (("earlier", "later"), ("visits",)),
    "change": (("instrument", "max_percent"), ("item", "score", "visits")),
    "required_at_visit": (("instrument", "item", "visits"), ()),
    "check": (("instrument", "expression", "severity"), ("visits",)),
}


@dataclass(frozen=True)
class DateOperand:
    """`consent`, `visit` (the visit's completion date) or a date item of an instrument."""

    source: str  # consent | visit | item
    instrument: str | None = None
    item: str | None = None

    def __str__(self) -> str:
        return f"{self.instrument}.{self.item}" if self.source == "item" else self.source


@dataclass(frozen=True)
class QualityRule:
    code: str
    kind: str  # one of QUALITY_KINDS
    message: Text
    instrument: str | None = None
    item: str | None = None
    score: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_percent: float | None = None
    earlier: DateOperand | None = None
    later: DateOperand | None = None
    visits: tuple[str, ...] = ()  # empty: every visit
    expression: str | None = None  # kind check: compiled against the instrument's fields on load and on use
    severity: str | None = None  # kind check: error | warning

    @property
    def field(self) -> str | None:
        """The item or score code the rule reads (None for `before`)."""
        return self.item or self.score

    def applies_at(self, visit_code: str) -> bool:
        return not self.visits or visit_code in self.visits


def read_quality_rules(r: Reader, data: dict, known) -> list[tuple[str, QualityRule]]:
    """Every rule of `quality_rules`, each with its key path; problems go to ``r``."""
    out = []
    seen: dict[str, str] = {}
    for path, item in r.items(data, "quality_rules", "", limits.MAX_RULES):
        rule = _read_rule(r, item, path, known)
        code = item.get("code") if isinstance(item, dict) else None
        if isinstance(code, str) and code in seen:
            r.add(
                join(path, "code"),
                gettext_noop("duplicate quality rule code '%(code)s' (first at %(first)s)"),
                code=code,
                first=seen[code],
            )
            continue
        if isinstance(code, str):
            seen[code] = path
        if rule is not None:
            out.append((path, rule))
    return out


def _read_rule(r: Reader, data: Any, path: str, known) -> QualityRule | None:
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind not in QUALITY_KINDS:
        if r.mapping(data, path, COMMON_KEYS, _all_optional()) is not None:
            r.choice(data, "kind", path, QUALITY_KINDS)
        return None
    required, optional = KIND_KEYS[kind]
    if r.mapping(data, path, COMMON_KEYS + required, optional) is None:
        return None
    code, message = r.string(data, "code", path), r.text(data, "message", path)
    values = dict(visits=r.strings(data, "visits", path))
    if kind == "before":
        values |= dict(earlier=_operand(r, data, "earlier", path, known), later=_operand(r, data, "later", path, known))
        ok = _check_before(r, path, values)
    else:
        values |= _read_measure(r, data, path, kind, known)
        ok = values.pop("ok")
    if code is None or message is None or not ok:
        return None
    return QualityRule(code=code, kind=kind, message=message, **values)


def _all_optional() -> tuple[str, ...]:
    keys: list[str] = []
    for required, optional in KIND_KEYS.values():
        keys += [k for k in required + optional if k not in keys]
    return tuple(keys)


def _read_measure(r: Reader, data: dict, path: str, kind: str, known) -> dict:
    instrument = _instrument(r, data, path, known)
    item, score = r.string(data, "item", path), r.string(data, "score", path)
    ok = instrument is not None
    if kind in ("range", "change") and (item is None) == (score is None):
        r.add(path, gettext_noop("give exactly one of `item` or `score`"))
        ok = False
    values = dict(instrument=instrument, item=item, score=score, ok=ok)
    if kind == "range":
        low, high = r.number(data, "min", path), r.number(data, "max", path)
        if low is None and high is None:
            r.add(path, gettext_noop("a range rule needs `min`, `max` or both"))
            values["ok"] = False
        elif low is not None and high is not None and low > high:
            r.add(join(path, "min"), gettext_noop("min (%(low)s) is greater than max (%(high)s)"), low=low, high=high)
            values["ok"] = False
        values |= dict(minimum=low, maximum=high)
    elif kind == "change":
        percent = r.number(data, "max_percent", path)
        if percent is not None and percent <= 0:
            r.add(join(path, "max_percent"), gettext_noop("must be more than 0, got %(value)s"), value=percent)
            percent = None
        values["ok"] = values["ok"] and percent is not None
        values["max_percent"] = percent
    elif kind == "check":
        values |= dict(
            expression=r.string(data, "expression", path), severity=r.choice(data, "severity", path, SEVERITIES)
        )
        values["ok"] = values["ok"] and values["expression"] is not None and values["severity"] is not None
    elif kind == "required_at_visit" and not data.get("visits"):
        r.add(join(path, "visits"), gettext_noop("name at least one visit"))
        values["ok"] = False
    return values


def _instrument(r: Reader, data: dict, path: str, known) -> str | None:
    code = r.string(data, "instrument", path)
    if code is not None and code not in known.instruments:
        r.add(join(path, "instrument"), gettext_noop("unknown instrument '%(code)s'"), code=code)
        return None
    return code


def _operand(r: Reader, data: dict, key: str, path: str, known) -> DateOperand | None:
    value, here = data.get(key), join(path, key)
    if isinstance(value, str):
        if value in DATE_SOURCES:
            return DateOperand(value)
        r.add(
            here,
            gettext_noop("must be one of %(choices)s or {instrument, item}; got '%(value)s'"),
            choices=", ".join(DATE_SOURCES),
            value=value,
        )
        return None
    if r.mapping(value, here, ("instrument", "item")) is None:
        return None
    instrument, item = _instrument(r, value, here, known), r.string(value, "item", here)
    return DateOperand("item", instrument, item) if instrument and item else None


def _check_before(r: Reader, path: str, values: dict) -> bool:
    earlier, later = values["earlier"], values["later"]
    if earlier is None or later is None:
        return False
    if earlier == later:
        r.add(join(path, "later"), gettext_noop("`earlier` and `later` name the same date"))
        return False
    if "item" not in (earlier.source, later.source) and "visit" not in (earlier.source, later.source):
        r.add(path, gettext_noop("one of `earlier` or `later` must be `visit` or a form's date item"))
        return False
    return True


def check_quality_visits(r: Reader, rules: list[tuple[str, QualityRule]], visit_codes: set[str]) -> None:
    """Every visit a rule names must be declared by the study."""
    for path, rule in rules:
        for i, code in enumerate(rule.visits):
            if code not in visit_codes:
                r.add(
                    join(join(path, "visits"), i),
                    gettext_noop("visit '%(code)s' is not declared by the study"),
                    code=code,
                )


@dataclass(frozen=True)
class InstrumentFields:
    """What a rule may name in one instrument: its item codes and score names (over all its versions)."""

    items: frozenset[str]
    scores: frozenset[str]


def check_quality_fields(
    rules: Sequence[QualityRule], fields: Mapping[str, InstrumentFields], *, filename: str
) -> list[Problem]:
    """A problem for every item or score a rule names that its instrument does not have.

    ``rules`` are a parsed protocol's ``quality_rules`` in file order, so rule ``i`` is at ``quality_rules[i]``.
    An instrument missing from ``fields`` is skipped: the parser already reports unknown instruments.
    """
    problems = []
    for i, rule in enumerate(rules):
        path = f"quality_rules[{i}]"
        named = [(path, rule.instrument, "item", rule.item), (path, rule.instrument, "score", rule.score)]
        for key, operand in (("earlier", rule.earlier), ("later", rule.later)):
            if operand is not None and operand.source == "item":
                named.append((join(path, key), operand.instrument, "item", operand.item))
        for where, instrument, kind, code in named:
            msgid, close = _missing_field(fields.get(instrument), kind, code)
            if msgid:
                problems.append(
                    Problem.of(filename, join(where, kind), msgid, instrument=instrument, code=code, suggestion=close)
                )
        problems += _expression_problems(rule, fields.get(rule.instrument or ""), f"{path}.expression", filename)
    return problems


def _expression_problems(rule: QualityRule, known: InstrumentFields | None, path: str, filename: str) -> list[Problem]:
    """A `check` rule's expression must compile against its instrument's items and scores."""
    if rule.expression is None or known is None:
        return []
    try:
        compile_expression(rule.expression, known.items | known.scores)
    except ExpressionError as error:
        return [
            Problem.of(
                filename,
                path,
                gettext_noop("column %(column)s: %(message)s"),
                column=error.column,
                message=error.message,
            )
        ]
    return []


def protocol_checks(
    rules: Sequence[QualityRule], *, instrument: str, visit_code: str, names: Sequence[str]
) -> tuple[Check, ...]:
    """The protocol's `check` rules on ``instrument`` at ``visit_code``, compiled against ``names`` (the form's
    item codes then score names, in order). A rule that no longer compiles (the definition changed after the
    protocol was loaded) is left out: the load refused it then, and a stored protocol must keep reading."""
    checks = []
    for rule in rules:
        if rule.kind != "check" or rule.instrument != instrument or not rule.applies_at(visit_code):
            continue
        try:
            expression = compile_expression(rule.expression or "", names)
        except ExpressionError:
            continue
        message = Label(rule.message.en, rule.message.zh)
        checks.append(Check.of(rule.code, expression, rule.severity or "error", message, names))
    return tuple(checks)


# kind -> (no suggestion, a suggestion, the instrument has none of that kind): whole sentences for translators.
MISSING_FIELD = {
    "item": (
        gettext_noop("instrument '%(instrument)s' has no item '%(code)s'"),
        gettext_noop("instrument '%(instrument)s' has no item '%(code)s' (did you mean '%(suggestion)s'?)"),
        gettext_noop("instrument '%(instrument)s' has no item '%(code)s' (it has no items)"),
    ),
    "score": (
        gettext_noop("instrument '%(instrument)s' has no score '%(code)s'"),
        gettext_noop("instrument '%(instrument)s' has no score '%(code)s' (did you mean '%(suggestion)s'?)"),
        gettext_noop("instrument '%(instrument)s' has no score '%(code)s' (it has no scores)"),
    ),
}


def _missing_field(known: InstrumentFields | None, kind: str, code: str | None) -> tuple[str, str | None]:
    """The template for a field the instrument lacks ("" when it has it, or is unknown) and a suggestion."""
    if known is None or code is None:
        return "", None
    choices = known.items if kind == "item" else known.scores
    if code in choices:
        return "", None
    plain, suggested, empty = MISSING_FIELD[kind]
    if not choices:
        return empty, None
    close = suggestion(code, sorted(choices))
    return (suggested if close else plain), close
