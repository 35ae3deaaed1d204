"""Empathy for Pain Scale (pes): the definition and the total worked by hand.

Giummarra et al. (Eur J Pain 2015) and the Chinese EPS (Shang et al., Chin J Mod Nurs 2020): four scenarios,
each rated for the same 12 responses, 48 ratings; the total is their sum. One missing rating per scenario is
replaced by the mean of the scenario's other 11; two in one scenario leave the total uncomputable.
"""

from pathlib import Path

import pytest
import yaml

from instruments.definitions import clean_responses, compute, load_definition
from instruments.scoring import score
from instruments.scoring.pes import HIGH, LOW

PATH = Path(__file__).resolve().parents[3] / "instruments" / "library" / "pes" / "1.0.yaml"
ITEMS = [f"pes_{n}" for n in range(1, 49)]

# Scenario sums 60 (surgery), 55 (recovery), 24 (assault), 60 (accident): total 199.
TYPICAL = [5] * 12 + [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0] + [2] * 12 + [10] * 6 + [0] * 6


def answers(values, *, without=(), **changed):
    given = {code: value for code, value in zip(ITEMS, values, strict=True) if code not in without}
    given.update(changed)
    return given


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


@pytest.mark.parametrize(
    "case, responses, total",
    [
        ("typical form", answers(TYPICAL), 199),
        ("every rating at the minimum", answers([0] * 48), 0),
        ("every rating at the maximum", answers([10] * 48), 480),
        # pes_13 (a 0) missing: the other 11 recovery ratings sum 55, mean 5, so the scenario counts 60.
        ("one missing rating is prorated within its scenario", answers(TYPICAL, without={"pes_13"}), 204),
        # pes_23 (a 10) missing: 45 / 11 * 12 = 49.09..., total 60 + 49.09 + 24 + 60 = 193.09.
        ("a prorated total is rounded to one decimal", answers(TYPICAL, without={"pes_23"}), 193.1),
        # One missing in each scenario, each replaced by its scenario mean: surgery 55 / 11 * 12 = 60,
        # recovery 60, assault 22 / 11 * 12 = 24, accident (pes_37, a 10) 50 / 11 * 12 = 54.545; 198.545 -> 198.5.
        (
            "one missing rating in every scenario is still scored",
            answers(TYPICAL, without={"pes_1", "pes_13", "pes_25", "pes_37"}),
            198.5,
        ),
        ("two missing ratings in one scenario leave no total", answers(TYPICAL, without={"pes_25", "pes_36"}), None),
        ("an empty form has no total", {}, None),
        # Out of range or fractional ratings count as missing, so with a second gap the scenario fails.
        ("a rating above 10 counts as missing", answers(TYPICAL, pes_2=11), 60 + 55 + 24 + 60),
        ("an out-of-range rating plus a gap leave no total", answers(TYPICAL, without={"pes_3"}, pes_2=11), None),
        ("a fractional rating plus a gap leave no total", answers(TYPICAL, without={"pes_40"}, pes_41=2.5), None),
    ],
)
def test_it_sums_the_48_ratings(case, responses, total):
    assert score("pes", responses) == {"total": total}, case


@pytest.mark.parametrize("code", ITEMS)
def test_no_rating_is_reversed(code):
    # A 10 on one response, 0 everywhere else, adds exactly 10 wherever it stands.
    assert score("pes", {**answers([0] * 48), code: 10}) == {"total": 10}


def test_string_codes_as_stored_by_forms_score_the_same():
    as_text = {code: str(value) for code, value in answers(TYPICAL).items()}
    assert score("pes", as_text) == score("pes", answers(TYPICAL)) == {"total": 199}


def test_a_form_entry_cleans_and_scores_through_the_definition(instrument):
    entered = {code: str(value) for code, value in answers(TYPICAL).items()}
    result = clean_responses(instrument, entered, complete=True)
    assert result.errors == {}
    assert compute(instrument, result.values) == {"total": 199}


def test_the_definition_loads_with_the_pes_scorer_and_its_total(instrument):
    assert (instrument.code, instrument.version, instrument.scorer) == ("pes", "1.0", "pes")
    assert [(s.name, s.min, s.max) for s in instrument.scores] == [("total", 0, 480)]


def test_it_holds_48_ratings_numbered_scenario_by_scenario(raw):
    assert [item["code"] for item in raw["items"]] == ITEMS


@pytest.mark.parametrize("scenario, first, last", [(1, 1, 12), (2, 13, 24), (3, 25, 36), (4, 37, 48)])
def test_each_scenario_section_holds_its_12_responses(raw, scenario, first, last):
    section = raw["sections"][scenario - 1]
    assert section["code"] == f"s{scenario}"
    assert section["items"] == [f"pes_{n}" for n in range(first, last + 1)]


def test_the_scorer_bounds_match_the_ratings_the_form_accepts(raw):
    assert {(item["type"], item["min"], item["max"]) for item in raw["items"]} == {("integer_scale", LOW, HIGH)}


def test_every_label_has_english_and_chinese(raw):
    assert bilingual_problems(raw) == []


@pytest.mark.parametrize(
    "entered, stored, has_error",
    [("0", 0, False), ("10", 10, False), ("11", None, True), ("-1", None, True), ("2.5", None, True)],
)
def test_it_keeps_whole_ratings_0_to_10_and_refuses_others(instrument, entered, stored, has_error):
    result = clean_responses(instrument, {"pes_48": entered}, complete=False)
    assert result.values["pes_48"] == stored
    assert ("pes_48" in result.errors) is has_error


def test_a_completed_form_needs_every_rating(instrument):
    entered = {code: "1" for code in ITEMS if code != "pes_25"}
    result = clean_responses(instrument, entered, complete=True)
    assert set(result.errors) == {"pes_25"}
