"""CBC flags against WS/T 405-2012 adult intervals; limits are normal; sex selects RBC/Hb/HCT intervals."""

import pytest

from instruments.scoring import score

MALE, FEMALE = 1, 2
NORMAL_MALE = {"cbc_sex": MALE, "cbc_wbc": 6.2, "cbc_rbc": 5.0, "cbc_hgb": 150, "cbc_hct": 45,
               "cbc_plt": 230, "cbc_neut_pct": 60, "cbc_lymph_pct": 30,
               "cbc_mono_pct": 6, "cbc_eos_pct": 3, "cbc_baso_pct": 0.5}


def test_it_flags_a_typical_normal_count_as_all_normal():
    assert set(score("cbc", NORMAL_MALE).values()) == {"normal"}


@pytest.mark.parametrize(
    "sex, item, value, flag",
    [
        (MALE, "cbc_wbc", 3.49, "low"),
        (MALE, "cbc_wbc", 3.5, "normal"),
        (MALE, "cbc_wbc", 9.5, "normal"),
        (MALE, "cbc_wbc", 9.51, "high"),
        (MALE, "cbc_hgb", 129, "low"),
        (MALE, "cbc_hgb", 130, "normal"),
        (MALE, "cbc_hgb", 175, "normal"),
        (MALE, "cbc_hgb", 176, "high"),
        (FEMALE, "cbc_hgb", 114, "low"),
        (FEMALE, "cbc_hgb", 115, "normal"),
        (FEMALE, "cbc_hgb", 150, "normal"),
        (FEMALE, "cbc_hgb", 151, "high"),
        (MALE, "cbc_rbc", 4.29, "low"),
        (FEMALE, "cbc_rbc", 5.2, "high"),
        (MALE, "cbc_hct", 39.9, "low"),
        (FEMALE, "cbc_hct", 45.1, "high"),
        (MALE, "cbc_plt", 124, "low"),
        (MALE, "cbc_plt", 351, "high"),
        (MALE, "cbc_neut_pct", 75.1, "high"),
        (MALE, "cbc_lymph_pct", 19.9, "low"),
        (MALE, "cbc_eos_pct", 0.3, "low"),
        (MALE, "cbc_baso_pct", 0, "normal"),  # lowest possible value is inside the interval
        (MALE, "cbc_baso_pct", 1.1, "high"),
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
