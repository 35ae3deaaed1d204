"""show_if evaluation, in Python and in static/js/branching.js, against one table of cases."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from instruments.definitions import evaluate, load_definition, parse_definition, visible_items
from instruments.definitions.model import Condition

FIXTURES = Path(__file__).parent / "fixtures"
CASES = json.loads((FIXTURES / "branching_cases.json").read_text(encoding="utf-8"))
JS = Path(__file__).resolve().parents[2] / "static" / "js" / "branching.js"


def to_condition(raw):
    if "item" in raw:
        value = raw.get("value")
        return Condition("item", raw["item"], raw["op"], tuple(value) if isinstance(value, list) else value)
    kind = next(iter(raw))
    children = (raw[kind],) if kind == "not" else raw[kind]
    return Condition(kind, children=tuple(to_condition(child) for child in children))


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_python_evaluates_each_shared_case(case):
    assert evaluate(to_condition(case["condition"]), case["values"]) is case["expected"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_javascript_gives_the_same_answer_on_every_shared_case():
    script = (
        f"const b = require({json.dumps(str(JS))});"
        f"const cases = require({json.dumps(str(FIXTURES / 'branching_cases.json'))});"
        "console.log(JSON.stringify(cases.map(c => b.evaluate(c.condition, c.values))));"
    )
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == [case["expected"] for case in CASES]


def test_condition_to_dict_round_trips_the_yaml_form():
    for case in CASES:
        assert to_condition(case["condition"]).to_dict() == case["condition"]


@pytest.fixture(scope="module")
def demo():
    return load_definition(FIXTURES / "library" / "demo" / "1.0.yaml")


def test_leg_pain_is_shown_only_after_yes_to_leg_pain(demo):
    assert "demo_3" not in visible_items(demo, {"demo_2": 0})
    assert "demo_3" not in visible_items(demo, {})
    assert "demo_3" in visible_items(demo, {"demo_2": 1})


def test_a_multiple_choice_rule_means_includes(demo):
    assert "demo_5" in visible_items(demo, {"demo_4": [2, 4]})
    assert "demo_5" not in visible_items(demo, {"demo_4": [1, 2]})


def chained():
    label = {"en": "x", "zh": "x"}
    data = {
        "code": "ch",
        "version": "1",
        "title": label,
        "items": [
            {"code": "ch_1", "type": "yes_no", "label": label},
            {
                "code": "ch_2",
                "type": "yes_no",
                "label": label,
                "show_if": {"item": "ch_1", "op": "==", "value": 1},
            },
            {
                "code": "ch_3",
                "type": "text",
                "label": label,
                "show_if": {"item": "ch_2", "op": "==", "value": 1},
            },
        ],
    }
    instrument, problems = parse_definition(data)
    assert problems == []
    return instrument


def test_an_item_hidden_by_its_rule_counts_as_missing_for_later_rules():
    # ch_2 still holds an old "yes" but is hidden because ch_1 became "no": ch_3 must hide too.
    assert visible_items(chained(), {"ch_1": 0, "ch_2": 1}) == {"ch_1"}
    assert visible_items(chained(), {"ch_1": 1, "ch_2": 1}) == {"ch_1", "ch_2", "ch_3"}


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_javascript_cascades_hidden_items_like_python():
    rules = [[item.code, item.show_if.to_dict() if item.show_if else None] for item in chained().items]
    script = (
        f"const b = require({json.dumps(str(JS))});"
        f"console.log(JSON.stringify(b.visibleItems({json.dumps(rules)}, {{ch_1: 0, ch_2: 1}})));"
    )
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == ["ch_1"]


def test_show_if_json_gives_the_browser_the_yaml_rules(demo):
    assert demo.show_if_json() == {
        "demo_3": {"item": "demo_2", "op": "==", "value": 1},
        "demo_5": {"item": "demo_4", "op": "==", "value": 4},
    }
