"""The `discontinuation`, arm `intervention` and `analysis_visits` blocks: read into the Protocol, every mistake at
its key path, and a criterion evaluated three-valued by the eligibility evaluator."""

import copy

import pytest

from studies.protocol import ProtocolError
from studies.protocol.outcomes import DiscontinuationCriterion, Intervention, criterion_met

LABEL = {"en": "x", "zh": "x"}


def _declared(base) -> dict:
    base["arms"][0]["intervention"] = {"label": {"en": "Surgery", "zh": "手术"}, "anchor": "treatment"}
    base["arms"][1]["intervention"] = "none"
    base["analysis_visits"] = ["m1"]
    base["discontinuation"] = [
        {
            "code": "flare",
            "label": LABEL,
            "kind": "discontinuation",
            "rule": {
                "any": [{"field": "bpi.worst", "op": ">=", "value": 9}, {"field": "odi.total", "op": ">", "value": 80}]
            },
        },
        {
            "code": "revision",
            "label": LABEL,
            "kind": "exclusion",
            "rule": {"field": "odi.odi_1", "op": "==", "value": 5},
        },
    ]
    return base


def _problems(parse_text, text) -> list[tuple[str, str]]:
    with pytest.raises(ProtocolError) as caught:
        parse_text(text)
    return [(p.path, p.message) for p in caught.value.problems]


def test_the_blocks_are_read_into_the_protocol(parse_text, base, to_yaml):
    protocol = parse_text(to_yaml(_declared(base)))
    assert [arm.intervention for arm in protocol.arms] == [
        Intervention(label=protocol.arms[0].intervention.label, anchor="treatment"),
        Intervention(),
    ]
    assert protocol.arms[1].intervention.none and protocol.analysis_visits == ("m1",)
    flare, revision = protocol.discontinuation
    assert (flare.code, flare.kind, flare.fields) == ("flare", "discontinuation", ("bpi.worst", "odi.total"))
    assert (revision.kind, revision.fields) == ("exclusion", ("odi.odi_1",))


def test_a_protocol_without_the_blocks_declares_nothing(parse_text, base, to_yaml):
    protocol = parse_text(to_yaml(base))
    assert protocol.discontinuation == () and protocol.analysis_visits == ()
    assert all(arm.intervention is None for arm in protocol.arms)


@pytest.mark.parametrize(
    ("how", "path", "fragment"),
    [
        (lambda d: d["arms"][0].update(intervention="surgery"), "arms[0].intervention", "expected a mapping"),
        (lambda d: d["arms"][0]["intervention"].update(anchor="surgry"), "arms[0].intervention.anchor", "'surgry'"),
        (lambda d: d["arms"][0]["intervention"].pop("label"), "arms[0].intervention.label", "missing required key"),
        (lambda d: d.update(analysis_visits=["m12"]), "analysis_visits[0]", "visit 'm12' is not declared"),
        (lambda d: d["discontinuation"][0].update(kind="stop"), "discontinuation[0].kind", "stop"),
        (lambda d: d["discontinuation"][0].pop("label"), "discontinuation[0].label", "missing required key"),
        (lambda d: d["discontinuation"][0].update(when="later"), "discontinuation[0].when", "unknown key"),
        (lambda d: d["discontinuation"][1].update(code="flare"), "discontinuation[1].code", "duplicate"),
        (
            lambda d: d["discontinuation"][1]["rule"].update(field="worst"),
            "discontinuation[1].rule.field",
            "`instrument.item` or `instrument.score`",
        ),
        (
            lambda d: d["discontinuation"][1]["rule"].update(field="bpii.worst"),
            "discontinuation[1].rule.field",
            "unknown instrument 'bpii' (did you mean 'bpi'?)",
        ),
        (
            lambda d: d["discontinuation"][0]["rule"]["any"][1].update(field="odi"),
            "discontinuation[0].rule.any[1].field",
            "`instrument.item`",
        ),
        (lambda d: d["discontinuation"][1]["rule"].update(op="~"), "discontinuation[1].rule.op", "~"),
    ],
)
def test_each_mistake_is_reported_at_its_key_path(parse_text, base, to_yaml, how, path, fragment):
    data = _declared(base)
    how(data)
    problems = _problems(parse_text, to_yaml(data))
    assert any(p == path and fragment in m for p, m in problems), problems


def test_a_criterion_is_met_only_when_its_rule_is_true():
    from studies.protocol.schema import Combination, Condition, Text

    rule = Combination("any", (Condition("bpi.worst", ">=", 9), Condition("odi.total", ">", 80)))
    criterion = DiscontinuationCriterion("flare", Text("x", "x"), "discontinuation", rule)
    assert criterion_met(criterion, {}) is None  # nothing known yet: not met
    assert criterion_met(criterion, {"bpi.worst": 4}) is None  # odi could still decide
    assert criterion_met(criterion, {"bpi.worst": 4, "odi.total": 30}) is False
    assert criterion_met(criterion, {"odi.total": 82}) is True  # `any`: one true part decides


def test_an_amendment_lists_changed_criteria_interventions_and_analysis_visits(parse_text, base, to_yaml):
    from studies.protocol import diff_protocols

    declared = _declared(base)
    old = parse_text(to_yaml(declared))
    changed = copy.deepcopy(declared)
    changed["analysis_visits"] = ["m1", "w2"]
    changed["arms"][1]["intervention"] = {"label": LABEL, "anchor": "treatment"}
    changed["discontinuation"][1]["kind"] = "discontinuation"
    shown = [str(change) for change in diff_protocols(old, parse_text(to_yaml(changed)))]
    assert "protocol changed: analysis_visits [m1] -> [m1, w2]" in shown
    assert any(line.startswith("arm 'b' changed: intervention {label=none, anchor=none} -> ") for line in shown)
    assert "discontinuation 'revision' changed: kind exclusion -> discontinuation" in shown
