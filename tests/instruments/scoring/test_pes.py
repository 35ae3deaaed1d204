"""Pain Empathy Scale (pes): a provisional, unscored Empathy for Pain Scale definition.

Structure from Giummarra et al. (Eur J Pain 2015) and the Chinese EPS (Shang et al. 2020): four
scenarios, each rated for the same 12 responses. The rating range and subscale key could not be
verified, so ratings are captured as whole numbers 0-10 and no score is computed.
"""

from pathlib import Path

import pytest
import yaml

from instruments.definitions import clean_responses, load_definition
from instruments.scoring import SCORERS

PATH = Path(__file__).resolve().parents[3] / "instruments" / "library" / "pes" / "1.0.yaml"
ITEMS = [f"pes_{n}" for n in range(1, 49)]


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


def test_it_holds_48_ratings_numbered_scenario_by_scenario(raw):
    assert [item["code"] for item in raw["items"]] == ITEMS


@pytest.mark.parametrize("scenario, first, last", [(1, 1, 12), (2, 13, 24), (3, 25, 36), (4, 37, 48)])
def test_each_scenario_section_holds_its_12_responses(raw, scenario, first, last):
    section = raw["sections"][scenario - 1]
    assert section["code"] == f"s{scenario}"
    assert section["items"] == [f"pes_{n}" for n in range(first, last + 1)]


def test_every_rating_is_a_whole_number_from_0_to_10(raw):
    assert {(item["type"], item["min"], item["max"]) for item in raw["items"]} == {("integer_scale", 0, 10)}


def test_every_label_has_english_and_chinese(raw):
    assert bilingual_problems(raw) == []


def test_it_computes_no_score_until_the_site_confirms_the_key(raw):
    assert raw["scorer"] is None
    assert "scores" not in raw
    assert "pes" not in SCORERS


@pytest.mark.parametrize(
    "entered, stored, has_error",
    [("0", 0, False), ("10", 10, False), ("11", None, True), ("-1", None, True), ("2.5", None, True)],
)
def test_it_keeps_whole_ratings_0_to_10_and_refuses_others(instrument, entered, stored, has_error):
    result = clean_responses(instrument, {"pes_48": entered}, complete=False)
    assert result.values["pes_48"] == stored
    assert ("pes_48" in result.errors) is has_error


def test_a_completed_form_needs_every_rating(instrument):
    answers = {code: "1" for code in ITEMS if code != "pes_25"}
    result = clean_responses(instrument, answers, complete=True)
    assert set(result.errors) == {"pes_25"}
