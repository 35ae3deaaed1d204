"""SF-36 (RAND 36-Item Health Survey 1.0 scoring, Ware 1994 US summary scores).

Expected domain scores are worked with RAND Table 1 by hand; expected summaries apply
Ware's published means, SDs and coefficients (z x coefficient, summed, 50 + 10 x sum) to those
domain scores, with bodily pain and general health scored Ware's way.
"""

import pytest

from instruments.scoring import score
from instruments.scoring.sf36 import ware_general_health, ware_pain

DOMAINS = [
    "physical_functioning",
    "role_physical",
    "role_emotional",
    "vitality",
    "emotional_wellbeing",
    "social_functioning",
    "pain",
    "general_health",
]


def answers(codes):
    """``codes`` maps item number -> precoded answer."""
    return {f"sf36_{n}": v for n, v in codes.items()}


# Items 1-36 in order, a mixed profile worked by hand in the test below.
TYPICAL = dict(
    enumerate(
        [3, 2, 1, 2, 2, 3, 3, 2, 2, 3, 3, 3, 1, 2, 2, 2, 2, 2, 1, 2, 3, 2, 3, 5, 6, 2, 4, 5, 4, 3, 3, 4, 4, 2, 4, 3],
        start=1,
    )
)
# The answer that RAND recodes to 100 on every item.
BEST = {
    1: 1,
    20: 1,
    21: 1,
    22: 1,
    23: 1,
    24: 6,
    25: 6,
    26: 1,
    27: 1,
    28: 6,
    29: 6,
    30: 1,
    31: 6,
    32: 5,
    33: 5,
    34: 1,
    35: 5,
    36: 1,
}
BEST.update({n: 3 for n in range(3, 13)} | {n: 2 for n in range(13, 20)} | {2: 3})
# The answer that RAND recodes to 0 on every item.
WORST = {
    1: 5,
    20: 5,
    21: 6,
    22: 5,
    23: 6,
    24: 1,
    25: 1,
    26: 6,
    27: 6,
    28: 1,
    29: 1,
    30: 6,
    31: 1,
    32: 1,
    33: 1,
    34: 5,
    35: 1,
    36: 5,
}
WORST.update({n: 1 for n in range(3, 20)} | {2: 3})


def test_it_recodes_and_averages_a_typical_form():
    result = score("sf36", answers(TYPICAL))
    # PF 700/10; RP (0+100+100+100)/4; RE (100+100+0)/3; VT (60+40+60+40)/4;
    # EWB (80+100+80+80+60)/5; SF (75+75)/2; pain (60+75)/2; GH (50+75+75+75+50)/5.
    assert result["physical_functioning"] == 70
    assert result["role_physical"] == 75
    assert result["role_emotional"] == pytest.approx(66.6667, abs=1e-4)
    assert result["vitality"] == 50
    assert result["emotional_wellbeing"] == 80
    assert result["social_functioning"] == 75
    assert result["pain"] == 67.5
    assert result["general_health"] == 65
    assert result["health_transition"] == 75
    # Summaries use Ware pain (4.2 + 4 - 2) / 10 x 100 = 62 and Ware general health
    # (3.4 + 4 + 4 + 4 + 3 - 5) / 20 x 100 = 67 with the six other domains above.
    assert result["pcs"] == pytest.approx(44.2977, abs=1e-3)
    assert result["mcs"] == pytest.approx(49.4724, abs=1e-3)


def test_every_domain_is_100_at_the_best_answers():
    result = score("sf36", answers(BEST))
    assert [result[name] for name in DOMAINS] == [100] * 8
    assert result["pcs"] == pytest.approx(57.8724, abs=1e-3)
    assert result["mcs"] == pytest.approx(62.1366, abs=1e-3)


def test_every_domain_is_0_at_the_worst_answers():
    result = score("sf36", answers(WORST))
    assert [result[name] for name in DOMAINS] == [0] * 8
    assert result["pcs"] == pytest.approx(20.1360, abs=1e-3)
    assert result["mcs"] == pytest.approx(17.3373, abs=1e-3)


def test_precode_1_on_every_item_reverses_some_items_and_not_others():
    # Reversed (1 -> 100): items 1, 20-23, 26, 27, 30, 34, 36; the rest 1 -> 0.
    result = score("sf36", answers({n: 1 for n in range(1, 37)}))
    assert {name: result[name] for name in DOMAINS} == {
        "physical_functioning": 0,
        "role_physical": 0,
        "role_emotional": 0,
        "vitality": 50,
        "emotional_wellbeing": 40,
        "social_functioning": 50,
        "pain": 100,
        "general_health": 60,
    }
    assert result["health_transition"] == 100
    assert result["pcs"] == pytest.approx(36.6579, abs=1e-3)
    assert result["mcs"] == pytest.approx(35.1719, abs=1e-3)


@pytest.mark.parametrize("code, value", [(1, 100), (2, 75), (3, 50), (4, 25), (5, 0)])
def test_health_transition_is_recoded_but_in_no_domain(code, value):
    result = score("sf36", answers(TYPICAL | {2: code}))
    assert result["health_transition"] == value
    assert result["general_health"] == 65


def test_a_domain_with_some_items_answered_is_the_mean_of_those_items():
    codes = dict(TYPICAL)
    for n in (4, 5, 6, 7, 8, 9, 10, 11, 12):
        del codes[n]
    codes[3] = 3
    result = score("sf36", answers(codes))
    assert result["physical_functioning"] == 100
    assert result["pcs"] is not None


def test_a_domain_with_no_item_answered_is_none_and_so_are_the_summaries():
    codes = {n: v for n, v in TYPICAL.items() if n not in (21, 22)}
    result = score("sf36", answers(codes))
    assert result["pain"] is None
    assert result["pcs"] is None and result["mcs"] is None
    assert result["vitality"] == 50


@pytest.mark.parametrize(
    "item, bad, domain, expected",
    [
        (3, 4, "physical_functioning", 700 / 9),  # item 3 (recoded 0) dropped: 700 / 9
        (13, 3, "role_physical", 100),  # yes/no item: 3 is not a code
        (21, 7, "pain", 75),  # pain = item 22 alone
        (23, 0, "vitality", 140 / 3),  # (40 + 60 + 40) / 3
        (1, 2.5, "general_health", 68.75),  # (75 + 75 + 75 + 50) / 4
        (32, "x", "social_functioning", 75),  # item 20 alone
    ],
)
def test_an_answer_outside_the_items_codes_counts_as_missing(item, bad, domain, expected):
    result = score("sf36", answers(TYPICAL | {item: bad}))
    assert result[domain] == pytest.approx(expected)


def test_an_empty_form_scores_nothing():
    result = score("sf36", {})
    assert all(result[name] is None for name in DOMAINS + ["pcs", "mcs", "health_transition"])


@pytest.mark.parametrize(
    "item_21, item_22, expected",
    [
        (1, 1, 100),  # 6 + 6
        (2, 1, 84),  # 5.4 + 5 (item 22 "not at all" with some pain counts 5)
        (3, 2, 62),  # 4.2 + 4
        (6, 5, 0),  # 1 + 1
        (4, None, 42),  # item 21 alone stands for both: 3.1 + 3.1
        (None, 2, 75),  # item 22 alone: 4.75 + 4.75
        (None, None, None),
    ],
)
def test_summary_pain_follows_wares_item_21_and_22_rules(item_21, item_22, expected):
    codes = {n: v for n, v in ((21, item_21), (22, item_22)) if v is not None}
    got = ware_pain(answers(codes))
    assert got == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize("item_1, expected", [(1, 100), (2, 85), (3, 60), (4, 25), (5, 0)])
def test_summary_general_health_recodes_item_1_as_ware_does(item_1, expected):
    # Items 33-36 answered at their best (100 each): mean of item 1 and four 100s.
    codes = {1: item_1, 33: 5, 34: 1, 35: 5, 36: 1}
    assert ware_general_health(answers(codes)) == pytest.approx((expected + 400) / 5)
