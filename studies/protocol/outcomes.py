"""What happens after enrolment, as the protocol declares it (docs/protocol-format.md, "Discontinuation, interventions
and analysis visits"):

* `discontinuation`: criteria judged on data that arrive after enrolment (a post-operative infection, a revision,
  a safety threshold), each `exclusion` (excluded from analysis) or `discontinuation` (follow-up stops), with a
  rule in the eligibility rule language whose fields are `instrument.item` or `instrument.score`;
* `intervention` of an arm: received once the date of its `anchor` is entered, or `none` (wait-list, usual care);
* `analysis_visits`: a participant is analysed once one of these visits is completed.

Pure Python like the rest of studies.protocol. Rules are read by ``parse_eligibility.read_rule`` and evaluated by
``eligibility.rule_holds`` (three-valued): one rule language, one evaluator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import limits
from .eligibility import rule_holds
from .parse_eligibility import read_rule
from .quality import InstrumentFields
from .reader import Problem, Reader, gettext_noop, join, suggestion
from .schema import Combination, EligibilityField, Rule, Text

DISCONTINUATION_KINDS = ("exclusion", "discontinuation")
CRITERION_KEYS = ("code", "label", "kind", "rule")


@dataclass(frozen=True)
class Intervention:
    """What an arm receives: `label` and the `anchor` whose date says it was received; both None for `none`."""

    label: Text | None = None
    anchor: str | None = None

    @property
    def none(self) -> bool:
        return self.anchor is None


@dataclass(frozen=True)
class DiscontinuationCriterion:
    code: str
    label: Text
    kind: str  # one of DISCONTINUATION_KINDS
    rule: Rule

    @property
    def fields(self) -> tuple[str, ...]:
        """The `instrument.item` / `instrument.score` names the rule reads, in rule order."""
        return tuple(dict.fromkeys(_rule_fields(self.rule)))


def _rule_fields(rule: Rule):
    if isinstance(rule, Combination):
        for sub in rule.rules:
            yield from _rule_fields(sub)
    else:
        yield rule.field


def criterion_met(criterion: DiscontinuationCriterion, answers: Mapping[str, Any]) -> bool | None:
    """True (met), False (not met) or None (an answer it needs is missing): ``answers`` maps `instrument.name`."""
    return rule_holds(criterion.rule, answers)


# --- reading ------------------------------------------------------------------------------------------------------


def read_intervention(r: Reader, data: dict, path: str) -> Intervention | None:
    """An arm's `intervention`: `none` or `{label, anchor}`; absent gives None (CONSORT then shows no line)."""
    if "intervention" not in data:
        return None
    here, value = join(path, "intervention"), data["intervention"]
    if value == "none":
        return Intervention()
    if r.mapping(value, here, ("label", "anchor")) is None:
        return None
    label, anchor = r.text(value, "label", here), r.string(value, "anchor", here)
    return Intervention(label, anchor) if label is not None and anchor is not None else None


def read_analysis_visits(r: Reader, data: dict) -> tuple[str, ...]:
    return r.strings(data, "analysis_visits", "")


Criteria = list[tuple[str, DiscontinuationCriterion]]


def read_discontinuation(r: Reader, data: dict, instruments: frozenset[str]) -> Criteria:
    out: Criteria = []
    seen: dict[str, str] = {}
    for path, item in r.items(data, "discontinuation", "", limits.MAX_CRITERIA):
        criterion = _read_criterion(r, item, path, instruments)
        if criterion is None:
            continue
        if criterion.code in seen:
            r.add(
                join(path, "code"),
                gettext_noop("duplicate discontinuation code '%(code)s' (first at %(first)s)"),
                code=criterion.code,
                first=seen[criterion.code],
            )
            continue
        seen[criterion.code] = path
        out.append((path, criterion))
    return out


def _read_criterion(r: Reader, data: Any, path: str, instruments: frozenset[str]) -> DiscontinuationCriterion | None:
    if r.mapping(data, path, CRITERION_KEYS) is None:
        return None
    code, label = r.string(data, "code", path), r.text(data, "label", path)
    kind = r.choice(data, "kind", path, DISCONTINUATION_KINDS)
    here = join(path, "rule")
    names = _check_field_names(r, data["rule"], here, instruments)
    # read_rule checks names against declared fields: every name is "declared" here, its form was checked above.
    fields = {name: EligibilityField(name, Text(name, name), "number") for name in names}
    rule = read_rule(r, data["rule"], here, fields)
    if None in (code, label, kind, rule):
        return None
    return DiscontinuationCriterion(code, label, kind, rule)


def _check_field_names(r: Reader, data: Any, path: str, instruments: frozenset[str]) -> set[str]:
    """Every `field` in the raw rule, after reporting those that are not `instrument.name` of a known instrument."""
    names: set[str] = set()
    for where, name in _raw_fields(data, path):
        names.add(name)
        instrument, dot, rest = name.partition(".")
        if not dot or not instrument or not rest:
            r.add(
                where,
                gettext_noop("a discontinuation rule names `instrument.item` or `instrument.score`, got '%(field)s'"),
                field=name,
            )
        elif instrument not in instruments:
            close = suggestion(instrument, sorted(instruments))
            msgid = (
                gettext_noop("unknown instrument '%(code)s' (did you mean '%(suggestion)s'?)")
                if close
                else gettext_noop("unknown instrument '%(code)s'")
            )
            r.add(where, msgid, code=instrument, suggestion=close)
    return names


def _raw_fields(data: Any, path: str, depth: int = 0):
    if depth > limits.MAX_RULE_DEPTH or not isinstance(data, dict):
        return  # read_rule reports the depth and the shape
    if len(data) == 1 and next(iter(data)) in ("all", "any", "not"):
        mode, inner = next(iter(data.items()))
        if mode == "not":
            yield from _raw_fields(inner, join(path, "not"), depth + 1)
        elif isinstance(inner, list):
            for i, sub in enumerate(inner):
                yield from _raw_fields(sub, join(join(path, mode), i), depth + 1)
    elif isinstance(data.get("field"), str):
        yield join(path, "field"), data["field"]


# --- cross-reference checks ---------------------------------------------------------------------------------------


def check_outcome_references(r: Reader, parsed) -> None:
    """Intervention anchors and analysis visits must be declared by the study."""
    anchors = {a.code for _, a in parsed.anchors}
    visits = {v.code for _, v in parsed.visits}
    for path, arm in parsed.arms:
        if arm.intervention is not None and not arm.intervention.none and arm.intervention.anchor not in anchors:
            r.add(
                join(join(path, "intervention"), "anchor"),
                gettext_noop("anchor '%(code)s' is not declared by the study"),
                code=arm.intervention.anchor,
            )
    for i, code in enumerate(parsed.analysis_visits):
        if code not in visits:
            r.add(join("analysis_visits", i), gettext_noop("visit '%(code)s' is not declared by the study"), code=code)


MISSING_FIELD = {
    False: gettext_noop("instrument '%(instrument)s' has no item or score '%(code)s'"),
    True: gettext_noop("instrument '%(instrument)s' has no item or score '%(code)s' (did you mean '%(suggestion)s'?)"),
}


def check_discontinuation_fields(
    criteria: Sequence[DiscontinuationCriterion], fields: Mapping[str, InstrumentFields], *, filename: str
) -> list[Problem]:
    """A problem for every `instrument.name` that is neither an item nor a score of that instrument (a typo would
    never fire). Run on load, with the library's definitions, like ``quality.check_quality_fields``."""
    problems = []
    for i, criterion in enumerate(criteria):
        for name in criterion.fields:
            instrument, _, code = name.partition(".")
            known = fields.get(instrument)
            if known is None or code in known.items or code in known.scores:
                continue
            close = suggestion(code, sorted(known.items | known.scores))
            msgid = MISSING_FIELD[bool(close)]
            where = f"discontinuation[{i}].rule"
            problems.append(Problem.of(filename, where, msgid, instrument=instrument, code=code, suggestion=close))
    return problems
