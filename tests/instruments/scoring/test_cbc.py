"""CBC flags against WS/T 405-2012 adult intervals; limits are normal; sex selects RBC/Hb/HCT intervals."""

import pytest

from instruments.scoring import score

MALE, FEMALE = 1, 2
NORMAL_MALE = {
    "cbc_sex": MALE,
    "cbc_wbc": 6.2,
    "cbc_rbc": 5.0,
    "cbc_hgb": 150,
    "cbc_hct": 45,
    "cbc_plt": 230,
    "cbc_neut_pct": 60,
    "cbc_lymph_pct": 30,
    "cbc_mono_pct": 6,
    "cbc_eos_pct": 3,
    "cbc_baso_pct": 0.5,
}


def test_it_flags_a_typical_normal_count_as_all_normal():
    assert set(score("cbc", NORMAL_MALE).values()) == {"normal"}


# Each limit of WS/T 405-2012 (adult, venous): the limit itself is normal, one step beyond it is not.
INTERVALS = [
    # (sex, item, low, high, step)
    (MALE, "cbc_wbc", 3.5, 9.5, 0.01),
    (FEMALE, "cbc_wbc", 3.5, 9.5, 0.01),
    (MALE, "cbc_rbc", 4.3, 5.8, 0.01),
    (FEMALE, "cbc_rbc", 3.8, 5.1, 0.01),
    (MALE, "cbc_hgb", 130, 175, 1),
    (FEMALE, "cbc_hgb", 115, 150, 1),
    (MALE, "cbc_hct", 40, 50, 0.1),
    (FEMALE, "cbc_hct", 35, 45, 0.1),
    (MALE, "cbc_plt", 125, 350, 1),
    (MALE, "cbc_neut_pct", 40, 75, 0.1),
    (MALE, "cbc_lymph_pct", 20, 50, 0.1),
    (MALE, "cbc_mono_pct", 3, 10, 0.1),
    (MALE, "cbc_eos_pct", 0.4, 8.0, 0.1),
]
CASES = [
    case
    for sex, item, low, high, step in INTERVALS
    for case in (
        (sex, item, round(low - step, 2), "low"),
        (sex, item, low, "normal"),
        (sex, item, high, "normal"),
        (sex, item, round(high + step, 2), "high"),
    )
]


@pytest.mark.parametrize(
    "sex, item, value, flag",
    CASES
    + [
        (MALE, "cbc_baso_pct", 0, "normal"),  # lowest possible value is inside the interval
        (MALE, "cbc_baso_pct", 1, "normal"),
        (MALE, "cbc_baso_pct", 1.1, "high"),
        (FEMALE, "cbc_hgb", 151, "high"),  # a normal male value is high for a woman
        (MALE, "cbc_hgb", 120, "low"),  # and a normal female value low for a man
    ],
)
def test_it_flags_each_side_of_the_reference_limits(sex, item, value, flag):
    result = score("cbc", {**NORMAL_MALE, "cbc_sex": sex, item: value})
    assert result[f"{item.removeprefix('cbc_')}_flag"] == flag


def test_it_gives_no_sex_specific_flags_without_sex_but_still_flags_the_rest():
    result = score("cbc", {**NORMAL_MALE, "cbc_sex": None})
    assert (result["rbc_flag"], result["hgb_flag"], result["hct_flag"]) == (None, None, None)
    assert result["wbc_flag"] == "normal"


@pytest.mark.parametrize("value", [None, 600, -1, "n/a"])
def test_it_gives_no_flag_for_a_missing_or_impossible_value(value):
    assert score("cbc", {**NORMAL_MALE, "cbc_wbc": value})["wbc_flag"] is None
