"""The `quality_rules` section of a protocol file: parsed into rules, refused with key paths."""

from pathlib import Path

import pytest

from studies.protocol import ProtocolError
from studies.protocol.quality import DateOperand
from studies.selectors import parse_protocol_text
from tests.queries.conftest import QUALITY_PROTOCOL

HEAD = QUALITY_PROTOCOL.split("quality_rules:")[0]


def _parse(rules_yaml: str):
    return parse_protocol_text(HEAD + "quality_rules:\n" + rules_yaml, filename="t.yaml")


def _problems(rules_yaml: str) -> dict[str, str]:
    with pytest.raises(ProtocolError) as caught:
        _parse(rules_yaml)
    return {problem.path: problem.message for problem in caught.value.problems}


def test_the_four_kinds_are_read():
    protocol = parse_protocol_text(QUALITY_PROTOCOL, filename="q.yaml")
    by_code = {rule.code: rule for rule in protocol.quality_rules}
    assert by_code["weight_change"].max_percent == 20 and by_code["weight_change"].field == "demographics_weight"
    assert by_code["vas_plausible"].maximum == 90 and by_code["vas_plausible"].minimum is None
    assert by_code["visit_after_consent"].earlier == DateOperand("consent")
    assert by_code["weight_required"].visits == ("m1",)
    assert by_code["weight_change"].message.zh == "体重变化超过20%"


@pytest.mark.parametrize("name", ["lbpb.yaml", "admsc_dlbp.yaml"])
def test_the_shipped_protocols_declare_quality_rules(name):
    path = Path(__file__).resolve().parents[2] / "protocols" / name
    protocol = parse_protocol_text(path.read_text(), filename=name)
    kinds = {rule.kind for rule in protocol.quality_rules}
    assert {"range", "change", "before"} <= kinds


MSG = '    message: {en: "x", zh: "x"}\n'


def test_problems_name_their_key_paths():
    problems = _problems(
        "  - {code: a, kind: range, instrument: vas, item: vas_1, min: 50, max: 10, message: {en: x, zh: x}}\n"
        "  - {code: b, kind: change, instrument: nope, score: total, max_percent: -5, message: {en: x, zh: x}}\n"
        "  - {code: c, kind: before, earlier: consent, later: tomorrow, message: {en: x, zh: x}}\n"
        "  - {code: d, kind: required_at_visit, instrument: vas, item: vas_1, visits: [m9], message: {en: x, zh: x}}\n"
        "  - {code: e, kind: ranges, instrument: vas, message: {en: x, zh: x}}\n"
        "  - {code: f, kind: range, instrument: vas, item: vas_1, score: total, max: 3, mesage: {en: x, zh: x}}\n"
        "  - {code: a, kind: range, instrument: vas, item: vas_1, max: 10, message: {en: x, zh: x}}\n"
    )
    assert "greater than max" in problems["quality_rules[0].min"]
    assert problems["quality_rules[1].instrument"] == "unknown instrument 'nope'"
    assert "more than 0" in problems["quality_rules[1].max_percent"]
    assert "tomorrow" in problems["quality_rules[2].later"]
    assert problems["quality_rules[3].visits[0]"] == "visit 'm9' is not declared by the study"
    assert "must be one of" in problems["quality_rules[4].kind"]
    assert "did you mean 'message'" in problems["quality_rules[5].mesage"]
    assert problems["quality_rules[5].message"] == "missing required key"
    assert "duplicate quality rule code 'a'" in problems["quality_rules[6].code"]


def test_a_range_needs_a_bound_and_one_field():
    problems = _problems("  - {code: a, kind: range, instrument: vas, message: {en: x, zh: x}}\n")
    assert problems["quality_rules[0]"] in (
        "give exactly one of `item` or `score`",
        "a range rule needs `min`, `max` or both",
    )


def test_a_before_rule_needs_a_visit_or_form_date():
    problems = _problems("  - {code: a, kind: before, earlier: consent, later: consent, message: {en: x, zh: x}}\n")
    assert "same date" in problems["quality_rules[0].later"]
