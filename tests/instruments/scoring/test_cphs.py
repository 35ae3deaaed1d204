"""Chronic Pain Helplessness Scale (cphs): a provisional, unscored definition.

The LBPB protocol gives only the response scale (0 strongly disagree to 5 strongly agree); the
published instrument, its item count and its key could not be verified. The definition offers 20
optional item slots and computes no score until the site confirms its form.
"""

from pathlib import Path

import pytest
import yaml

from instruments.definitions import clean_responses, load_definition
from instruments.scoring import SCORERS

PATH = Path(__file__).resolve().parents[3] / "instruments" / "library" / "cphs" / "1.0.yaml"
ITEMS = [f"cphs_{n}" for n in range(1, 21)]


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def instrument():
    return load_definition(PATH)


def bilingual_problems(node, path="$"):
    """Paths of mappings that carry one of en/zh but not both, or an empty one."""
    found = []
    if isinstance(node, dict):
        if ("en" in node or "zh" in node) and not (node.get("en") and node.get("zh")):
            found.append(path)
        for key, value in node.items():
            found += bilingual_problems(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += bilingual_problems(value, f"{path}[{index}]")
    return found


def test_it_offers_20_item_slots_numbered_as_on_the_site_form(raw):
    assert [item["code"] for item in raw["items"]] == ITEMS


def test_each_item_is_answered_0_strongly_disagree_to_5_strongly_agree(raw):
    options = raw["option_sets"]["agree6"]
    assert [option["code"] for option in options] == list(range(6))
    assert options[0]["en"].endswith("Strongly disagree") and options[5]["en"].endswith("Strongly agree")
    assert {item["options"] for item in raw["items"]} == {"agree6"}


def test_every_label_has_english_and_chinese(raw):
    assert bilingual_problems(raw) == []


def test_it_computes_no_score_until_the_site_confirms_the_key(raw):
    assert raw["scorer"] is None
    assert "scores" not in raw
    assert "cphs" not in SCORERS


@pytest.mark.parametrize(
    "entered, stored, has_error",
    [("0", 0, False), ("5", 5, False), ("6", None, True), ("-1", None, True)],
)
def test_it_keeps_answers_0_to_5_and_refuses_others(instrument, entered, stored, has_error):
    result = clean_responses(instrument, {"cphs_1": entered}, complete=False)
    assert result.values["cphs_1"] == stored
    assert ("cphs_1" in result.errors) is has_error


def test_a_completed_form_may_leave_unused_slots_blank(instrument):
    answers = {code: "3" for code in ITEMS[:12]}
    result = clean_responses(instrument, answers, complete=True)
    assert result.errors == {}
    assert result.values["cphs_13"] is None
