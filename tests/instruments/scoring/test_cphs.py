"""Chronic Pain Helplessness Scale (cphs): the 15-item Arthritis Helplessness Index in pain wording.

Cases are worked by hand from the key in the scorer's docstring: answers 0 (strongly disagree) to 5
(strongly agree); items 1, 2, 4, 5, 8, 9, 13 and 15 score 5 minus the answer (Omachi et al. Chest
2010, Table 2); the total is the sum, prorated when 12-14 of the 15 items are answered.
"""

from pathlib import Path

import pytest

from instruments.definitions import clean_responses, load_definition
from instruments.definitions.scorers import compute
from instruments.scoring import score

PATH = Path(__file__).resolve().parents[3] / "instruments" / "library" / "cphs" / "1.0.yaml"
REVERSED = {1, 2, 4, 5, 8, 9, 13, 15}

# Keyed: 1 2 2 1 1 1 2 2 2 1 4 1 1 2 0 = 23
TYPICAL = [4, 3, 2, 4, 4, 1, 2, 3, 3, 1, 4, 1, 4, 2, 5]


def answers(values):
    return {f"cphs_{n}": v for n, v in enumerate(values, start=1) if v is not None}


def least_helpless():
    return [5 if n in REVERSED else 0 for n in range(1, 16)]


def most_helpless():
    return [0 if n in REVERSED else 5 for n in range(1, 16)]


def replaced(values, item, value):
    """``values`` with the answer to item number ``item`` replaced."""
    changed = list(values)
    changed[item - 1] = value
    return changed


@pytest.fixture(scope="module")
def instrument():
    return load_definition(PATH)


@pytest.mark.parametrize(
    "values, total",
    [
        (TYPICAL, 23),
        ([0] * 15, 40),  # all "strongly disagree": the 8 reversed items score 5 each
        ([5] * 15, 35),  # all "strongly agree": the 7 helplessness items score 5 each
        (least_helpless(), 0),
        (most_helpless(), 75),
    ],
)
def test_it_sums_the_15_items_with_the_control_items_reversed(values, total):
    assert score("cphs", answers(values)) == {"total": total}


def test_it_reverses_item_9_so_denying_control_adds_helplessness():
    # item 9 "considerable ability to control my pain": 3 keys to 2, 0 keys to 5
    assert score("cphs", answers(replaced(TYPICAL, 9, 0))) == {"total": 26}


def test_it_does_not_reverse_item_11_as_printed_in_the_key():
    # item 11 "I can tell when my pain will get worse": 4 keys to 4, 0 keys to 0
    assert score("cphs", answers(replaced(TYPICAL, 11, 0))) == {"total": 19}


@pytest.mark.parametrize(
    "missing, total",
    [
        ([15], 24.6),  # 23 over 14 answered items, times 15 = 24.64
        ([13, 14, 15], 25),  # keyed 1 + 2 + 0 dropped: 20 over 12 items, times 15 = 25
    ],
)
def test_it_prorates_when_at_most_3_items_are_missing(missing, total):
    values = [None if n in missing else v for n, v in enumerate(TYPICAL, start=1)]
    assert score("cphs", answers(values)) == {"total": total}


def test_it_gives_no_total_when_4_items_are_missing():
    values = [None if n in {12, 13, 14, 15} else v for n, v in enumerate(TYPICAL, start=1)]
    assert score("cphs", answers(values)) == {"total": None}


def test_it_gives_no_total_for_an_empty_form():
    assert score("cphs", {}) == {"total": None}


@pytest.mark.parametrize("bad", [6, -1, 2.5, "x", True])
def test_it_treats_an_answer_outside_0_to_5_as_missing(bad):
    # same as leaving item 15 out: 23 over 14 items, times 15
    assert score("cphs", answers(replaced(TYPICAL, 15, bad))) == {"total": 24.6}


def test_string_codes_as_stored_by_forms_score_the_same():
    as_strings = {code: str(value) for code, value in answers(TYPICAL).items()}
    assert score("cphs", as_strings) == score("cphs", answers(TYPICAL)) == {"total": 23}


def test_the_definition_loads_with_15_items_answered_0_to_5(instrument):
    assert [item.code for item in instrument.items] == [f"cphs_{n}" for n in range(1, 16)]
    assert {item.option_codes for item in instrument.items} == {(0, 1, 2, 3, 4, 5)}
    assert instrument.scorer == "cphs"
    assert [(spec.name, spec.min, spec.max) for spec in instrument.scores] == [("total", 0, 75)]


def test_a_form_entered_as_text_cleans_and_scores_like_the_hand_count(instrument):
    entered = {code: str(value) for code, value in answers(TYPICAL).items()}
    result = clean_responses(instrument, entered, complete=True)
    assert result.errors == {}
    assert compute(instrument, result.values) == {"total": 23}


def test_a_completed_form_needs_every_item(instrument):
    entered = {code: str(value) for code, value in answers(TYPICAL).items() if code != "cphs_15"}
    result = clean_responses(instrument, entered, complete=True)
    assert "cphs_15" in result.errors
