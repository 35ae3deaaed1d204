"""Pain Coping Strategies Questionnaire (csq): a provisional, unscored CSQ-R definition.

The LBPB protocol gives only the response scale (0 never to 6 always). The intended version is the
27-item CSQ-R (Riley and Robinson, Clin J Pain 1997); its item-to-subscale key could not be verified,
so the definition records answers and computes no score until the site confirms its form.
"""

from pathlib import Path

import pytest
import yaml

from instruments.definitions import clean_responses, load_definition
from instruments.scoring import SCORERS

PATH = Path(__file__).resolve().parents[3] / "instruments" / "library" / "csq" / "1.0.yaml"
ITEMS = [f"csq_{n}" for n in range(1, 28)]


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


def test_it_holds_the_27_csq_r_items_numbered_1_to_27(raw):
    assert [item["code"] for item in raw["items"]] == ITEMS


def test_each_item_is_answered_0_never_to_6_always(raw):
    options = raw["option_sets"]["freq7"]
    assert [option["code"] for option in options] == list(range(7))
    assert options[0]["en"].endswith("Never do that") and options[6]["en"].endswith("Always do that")
    assert options[3]["en"].endswith("Sometimes do that")
    assert {item["options"] for item in raw["items"]} == {"freq7"}


def test_every_label_has_english_and_chinese(raw):
    assert bilingual_problems(raw) == []


def test_it_computes_no_score_until_the_site_confirms_the_key(raw):
    assert raw["scorer"] is None
    assert "scores" not in raw
    assert "csq" not in SCORERS


@pytest.mark.parametrize(
    "entered, stored, has_error",
    [("0", 0, False), ("3", 3, False), ("6", 6, False), ("7", None, True), ("-1", None, True)],
)
def test_it_keeps_answers_0_to_6_and_refuses_others(instrument, entered, stored, has_error):
    result = clean_responses(instrument, {"csq_1": entered}, complete=False)
    assert result.values["csq_1"] == stored
    assert ("csq_1" in result.errors) is has_error


def test_a_completed_form_needs_every_item(instrument):
    answers = {code: "2" for code in ITEMS[:-1]}
    result = clean_responses(instrument, answers, complete=True)
    assert set(result.errors) == {"csq_27"}
