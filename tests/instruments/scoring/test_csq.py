"""CSQ-R (csq): 27 items of the original CSQ, six subscale sums, no total, no reversed items.

Expected values are worked by hand from the key in Robinson et al. Clin J Pain 1997;13:43-49 as used by
Riley and Robinson Clin J Pain 1997;13:156-162 (original CSQ item numbers).
"""

from pathlib import Path

import pytest

from instruments.definitions import clean_responses, compute, load_definition
from instruments.scoring import score

PATH = Path(__file__).resolve().parents[3] / "instruments" / "library" / "csq" / "1.0.yaml"

# Original CSQ item number -> CSQ-R subscale, copied from the source, not from the scorer.
KEY = {
    3: "distraction",
    30: "distraction",
    31: "distraction",
    43: "distraction",
    45: "distraction",
    5: "catastrophizing",
    12: "catastrophizing",
    14: "catastrophizing",
    28: "catastrophizing",
    38: "catastrophizing",
    42: "catastrophizing",
    20: "ignoring_pain_sensations",
    24: "ignoring_pain_sensations",
    27: "ignoring_pain_sensations",
    35: "ignoring_pain_sensations",
    40: "ignoring_pain_sensations",
    1: "distancing_from_pain",
    18: "distancing_from_pain",
    34: "distancing_from_pain",
    46: "distancing_from_pain",
    6: "coping_self_statements",
    8: "coping_self_statements",
    23: "coping_self_statements",
    37: "coping_self_statements",
    17: "praying",
    32: "praying",
    41: "praying",
}
NUMBERS = sorted(KEY)
NAMES = [
    "distraction",
    "catastrophizing",
    "ignoring_pain_sensations",
    "distancing_from_pain",
    "coping_self_statements",
    "praying",
]

# A typical response; the subscale sums below were added up by hand.
TYPICAL = {
    1: 2,
    3: 4,
    5: 1,
    6: 5,
    8: 4,
    12: 0,
    14: 0,
    17: 3,
    18: 1,
    20: 2,
    23: 6,
    24: 3,
    27: 1,
    28: 2,
    30: 5,
    31: 3,
    32: 2,
    34: 0,
    35: 4,
    37: 5,
    38: 1,
    40: 3,
    41: 4,
    42: 0,
    43: 6,
    45: 2,
    46: 1,
}
TYPICAL_SCORES = {
    "distraction": 20,  # 4 + 5 + 3 + 6 + 2
    "catastrophizing": 4,  # 1 + 0 + 0 + 2 + 1 + 0
    "ignoring_pain_sensations": 13,  # 2 + 3 + 1 + 4 + 3
    "distancing_from_pain": 4,  # 2 + 1 + 0 + 1
    "coping_self_statements": 20,  # 5 + 4 + 6 + 5
    "praying": 9,  # 3 + 2 + 4
}


def answers(values_by_number):
    return {f"csq_{n}": value for n, value in values_by_number.items()}


def every(value):
    return answers({n: value for n in NUMBERS})


@pytest.fixture(scope="module")
def instrument():
    return load_definition(PATH)


def test_the_key_covers_27_items_in_six_subscales_of_5_6_5_4_4_3():
    sizes = [list(KEY.values()).count(name) for name in NAMES]
    assert (len(KEY), sizes) == (27, [5, 6, 5, 4, 4, 3])


@pytest.mark.parametrize(
    "case, expected",
    [
        ("typical", TYPICAL_SCORES),
        ("all_never", dict.fromkeys(NAMES, 0)),
        (
            "all_always",
            {
                "distraction": 30,
                "catastrophizing": 36,
                "ignoring_pain_sensations": 30,
                "distancing_from_pain": 24,
                "coping_self_statements": 24,
                "praying": 18,
            },
        ),
    ],
)
def test_it_sums_each_subscale(case, expected):
    responses = {"typical": answers(TYPICAL), "all_never": every(0), "all_always": every(6)}[case]
    assert score("csq", responses) == expected


@pytest.mark.parametrize("number", NUMBERS)
def test_each_item_counts_forward_in_its_own_subscale_only(number):
    # No CSQ-R item is reversed: a 6 on one item adds 6 to its subscale and nothing elsewhere.
    result = score("csq", {**every(0), f"csq_{number}": 6})
    assert result == {name: 6 if name == KEY[number] else 0 for name in NAMES}


def test_a_missing_item_leaves_its_subscale_unscored_and_the_others_scored():
    responses = answers(TYPICAL)
    del responses["csq_3"]
    assert score("csq", responses) == {**TYPICAL_SCORES, "distraction": None}


@pytest.mark.parametrize("bad", [None, "", 7, -1, 2.5, "six"])
def test_an_out_of_range_answer_counts_as_missing(bad):
    result = score("csq", {**answers(TYPICAL), "csq_41": bad})
    assert result == {**TYPICAL_SCORES, "praying": None}


def test_an_empty_response_scores_nothing():
    assert score("csq", {}) == dict.fromkeys(NAMES)


def test_items_outside_the_csq_r_are_ignored():
    # Items 2 and 47 belong to the original 48-item CSQ but not to the CSQ-R.
    assert score("csq", {**answers(TYPICAL), "csq_2": 6, "csq_47": 6}) == TYPICAL_SCORES


def test_it_scores_from_string_codes_as_stored_by_forms():
    as_text = {code: str(value) for code, value in answers(TYPICAL).items()}
    assert score("csq", as_text) == TYPICAL_SCORES


def test_the_definition_loads_with_the_27_items_in_original_csq_numbering(instrument):
    assert instrument.scorer == "csq"
    assert [item.code for item in instrument.items] == [f"csq_{n}" for n in NUMBERS]
    assert [spec.name for spec in instrument.scores] == NAMES
    assert {tuple(item.option_codes) for item in instrument.items} == {tuple(range(7))}


def test_every_label_is_bilingual_and_names_its_original_item(instrument):
    for number, item in zip(NUMBERS, instrument.items, strict=True):
        assert item.label.en.startswith(f"CSQ {number}: ")
        assert item.label.zh.startswith(f"CSQ第{number}题：")
    assert all(spec.label.en and spec.label.zh for spec in instrument.scores)


def test_declared_ranges_match_all_never_and_all_always(instrument):
    low, high = score("csq", every(0)), score("csq", every(6))
    assert {spec.name: (spec.min, spec.max) for spec in instrument.scores} == {
        name: (low[name], high[name]) for name in NAMES
    }


def test_a_form_entry_cleans_and_scores_like_the_scorer(instrument):
    entered = {code: str(value) for code, value in answers(TYPICAL).items()}
    cleaned = clean_responses(instrument, entered, complete=True)
    assert cleaned.errors == {}
    assert compute(instrument, cleaned.values) == TYPICAL_SCORES


def test_a_completed_form_needs_every_item_and_refuses_a_7(instrument):
    entered = {code: "2" for code in answers(TYPICAL)}
    entered.pop("csq_46")
    entered["csq_1"] = "7"
    cleaned = clean_responses(instrument, entered, complete=True)
    assert set(cleaned.errors) == {"csq_1", "csq_46"}
