"""Evaluating the protocol's data-quality rules on one participant's data: pure functions, no database.

``evaluate(rules, data)`` returns one Finding per rule and target that breaks the rule; the services
turn findings into queries (opening, reopening and auto-closing them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

RESPONSE = "instruments.response"
VISIT = "participants.visit"


@dataclass(frozen=True)
class ResponseData:
    pk: int
    visit_code: str
    activity_key: str
    instrument_code: str
    instance: int
    status: str
    values: dict
    scores: dict


@dataclass(frozen=True)
class VisitData:
    pk: int
    visit_code: str
    completed_on: date | None


@dataclass
class ParticipantData:
    """What the rules read about one participant; ``visit_order`` is the protocol's visit codes in order."""

    responses: list[ResponseData] = field(default_factory=list)
    visits: list[VisitData] = field(default_factory=list)
    consent_date: date | None = None
    visit_order: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    rule_code: str
    object_type: str
    object_id: str
    visit_code: str
    activity_key: str = ""
    item_code: str = ""
    detail: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return self.rule_code, self.object_type, self.object_id


def evaluate(rules, data: ParticipantData) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        findings += CHECKS[rule.kind](rule, data)
    return findings


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _value(rule, response: ResponseData):
    return (response.scores if rule.score else response.values).get(rule.field)


def _finding(rule, response: ResponseData, detail: str) -> Finding:
    return Finding(
        rule.code, RESPONSE, str(response.pk), response.visit_code, response.activity_key, rule.field or "", detail
    )


def _responses(rule, data: ParticipantData, instrument: str | None = None) -> list[ResponseData]:
    return [
        r
        for r in data.responses
        if r.instrument_code == (instrument or rule.instrument)
        and r.status != "not_started"
        and rule.applies_at(r.visit_code)
    ]


def _fmt(value: float) -> str:
    return f"{value:g}"


def check_range(rule, data: ParticipantData) -> list[Finding]:
    out = []
    for response in _responses(rule, data):
        value = _number(_value(rule, response))
        if value is None:
            continue
        if (rule.minimum is not None and value < rule.minimum) or (rule.maximum is not None and value > rule.maximum):
            low = "" if rule.minimum is None else _fmt(rule.minimum)
            high = "" if rule.maximum is None else _fmt(rule.maximum)
            out.append(_finding(rule, response, f"{rule.field} = {_fmt(value)} [{low}, {high}]"))
    return out


def _first_per_visit(responses: list[ResponseData], instrument: str) -> dict[str, ResponseData]:
    """The response read at each visit: the first instance, the activity named like the instrument first."""
    chosen: dict[str, ResponseData] = {}
    for response in sorted(responses, key=lambda r: (r.instance, r.activity_key != instrument, r.activity_key)):
        chosen.setdefault(response.visit_code, response)
    return chosen


def check_change(rule, data: ParticipantData) -> list[Finding]:
    by_visit = _first_per_visit(_responses(rule, data), rule.instrument)
    out, previous = [], None
    for visit_code in data.visit_order:
        response = by_visit.get(visit_code)
        value = _number(_value(rule, response)) if response else None
        if value is None:
            continue
        if previous is not None and previous[1] != 0:
            percent = abs(value - previous[1]) / abs(previous[1]) * 100
            if round(percent, 9) > rule.max_percent:
                out.append(
                    _finding(
                        rule,
                        response,
                        f"{rule.field}: {_fmt(previous[1])} ({previous[0]}) → "
                        f"{_fmt(value)} ({percent:.1f} % > {_fmt(rule.max_percent)} %)",
                    )
                )
        previous = (visit_code, value)
    return out


def check_required(rule, data: ParticipantData) -> list[Finding]:
    out = []
    done = {v.visit_code for v in data.visits if v.completed_on is not None}
    by_visit = _first_per_visit(_responses(rule, data), rule.instrument)
    for visit_code in rule.visits:
        response = by_visit.get(visit_code)
        if response is not None:
            if (response.status == "complete" or visit_code in done) and _value(rule, response) in (None, "", []):
                out.append(_finding(rule, response, f"{rule.field}: —"))
        elif visit_code in done:
            visit = next(v for v in data.visits if v.visit_code == visit_code and v.completed_on is not None)
            out.append(
                Finding(rule.code, VISIT, str(visit.pk), visit_code, "", rule.field or "", f"{rule.instrument}: —")
            )
    return out


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _operand_date(operand, data: ParticipantData, visit_code: str, responses: dict) -> date | None:
    if operand.source == "consent":
        return data.consent_date
    if operand.source == "visit":
        dates = [v.completed_on for v in data.visits if v.visit_code == visit_code and v.completed_on]
        return min(dates) if dates else None
    response = responses.get(operand.instrument, {}).get(visit_code)
    return _date(response.values.get(operand.item)) if response else None


def check_before(rule, data: ParticipantData) -> list[Finding]:
    operands = [op for op in (rule.later, rule.earlier) if op.source == "item"]
    responses = {
        op.instrument: _first_per_visit(_responses(rule, data, op.instrument), op.instrument) for op in operands
    }
    if operands:
        visit_codes = sorted(set(responses[operands[0].instrument]))
    else:
        visit_codes = sorted({v.visit_code for v in data.visits if v.completed_on and rule.applies_at(v.visit_code)})
    out = []
    for visit_code in visit_codes:
        earlier = _operand_date(rule.earlier, data, visit_code, responses)
        later = _operand_date(rule.later, data, visit_code, responses)
        if earlier is None or later is None or later >= earlier:
            continue
        detail = f"{rule.later} {later.isoformat()} < {rule.earlier} {earlier.isoformat()}"
        if operands:
            response = responses[operands[0].instrument][visit_code]
            out.append(
                Finding(
                    rule.code, RESPONSE, str(response.pk), visit_code, response.activity_key, operands[0].item, detail
                )
            )
        else:
            visit = min(
                (v for v in data.visits if v.visit_code == visit_code and v.completed_on), key=lambda v: v.completed_on
            )
            out.append(Finding(rule.code, VISIT, str(visit.pk), visit_code, "", "", detail))
    return out


def check_on_save(rule, data: ParticipantData) -> list[Finding]:
    """A `check` rule runs when its form is saved (workflows.services.response_submit), refusing the save or
    asking for a confirmation; there is nothing left for it to find afterwards."""
    return []


CHECKS = {
    "range": check_range,
    "change": check_change,
    "required_at_visit": check_required,
    "before": check_before,
    "check": check_on_save,
}
