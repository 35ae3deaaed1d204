"""Biochemistry flags: ALT/AST by sex (WS/T 404.1-2012), creatinine/urea by sex and age (WS/T 404.5-2015),
fasting glucose 3.9 to < 6.1 (fasting samples only), triglycerides < 1.7, total cholesterol < 5.2 mmol/L."""

import pytest

from instruments.scoring import score

MALE, FEMALE = 1, 2
YES, NO = 1, 0
BASE = {
    "biochem_sex": MALE,
    "biochem_age": 45,
    "biochem_fasting": YES,
    "biochem_alt": 25,
    "biochem_ast": 22,
    "biochem_creatinine": 80,
    "biochem_urea": 5.0,
    "biochem_glucose": 5.0,
    "biochem_tg": 1.2,
    "biochem_tc": 4.5,
}


def flag(name, **changes):
    values = {**BASE, **{f"biochem_{key}": value for key, value in changes.items()}}
    return score("biochem", values)[f"{name}_flag"]


def test_it_flags_a_typical_normal_panel_as_all_normal():
    assert set(score("biochem", BASE).values()) == {"normal"}


# Each limit: the limit itself is normal, one step beyond it is not. (sex, age, analyte, low, high, step)
INTERVALS = [
    (MALE, 45, "alt", 9, 50, 1),
    (FEMALE, 45, "alt", 7, 40, 1),
    (MALE, 45, "ast", 15, 40, 1),
    (FEMALE, 45, "ast", 13, 35, 1),
    (MALE, 45, "creatinine", 57, 97, 1),
    (MALE, 65, "creatinine", 57, 111, 1),
    (FEMALE, 45, "creatinine", 41, 73, 1),
    (FEMALE, 65, "creatinine", 41, 81, 1),
    (MALE, 45, "urea", 3.1, 8.0, 0.1),
    (MALE, 65, "urea", 3.6, 9.5, 0.1),
    (FEMALE, 45, "urea", 2.6, 7.5, 0.1),
    (FEMALE, 65, "urea", 3.1, 8.8, 0.1),
]
CASES = [
    (name, {"sex": sex, "age": age, name: value}, expected)
    for sex, age, name, low, high, step in INTERVALS
    for value, expected in (
        (round(low - step, 2), "low"),
        (low, "normal"),
        (high, "normal"),
        (round(high + step, 2), "high"),
    )
]


@pytest.mark.parametrize(
    "name, changes, expected",
    CASES
    + [
        ("creatinine", {"age": 59, "creatinine": 98}, "high"),  # 59 is still the 20-59 band
        ("creatinine", {"age": 60, "creatinine": 98}, "normal"),  # 60 starts the 60-79 band
        ("creatinine", {"age": 18, "creatinine": 56}, "low"),  # 20-59 band applied from 18
        ("creatinine", {"sex": FEMALE, "age": 85, "creatinine": 81}, "normal"),  # 60-79 band beyond 79
        ("creatinine", {"sex": FEMALE, "age": 85, "creatinine": 82}, "high"),
        ("glucose", {"glucose": 3.8}, "low"),
        ("glucose", {"glucose": 3.9}, "normal"),
        ("glucose", {"glucose": 6.09}, "normal"),
        ("glucose", {"glucose": 6.1}, "high"),  # 6.1 to < 7.0 is impaired fasting glucose
        ("tg", {"tg": 1.69}, "normal"),
        ("tg", {"tg": 1.7}, "high"),
        ("tg", {"tg": 0}, "normal"),  # lipids have no low flag
        ("tc", {"tc": 5.19}, "normal"),
        ("tc", {"tc": 5.2}, "high"),
    ],
)
def test_it_flags_each_side_of_the_reference_limits(name, changes, expected):
    assert flag(name, **changes) == expected


def test_it_gives_no_age_dependent_flags_without_age_but_still_flags_the_rest():
    result = score("biochem", {**BASE, "biochem_age": None})
    assert (result["creatinine_flag"], result["urea_flag"]) == (None, None)
    assert (result["alt_flag"], result["glucose_flag"]) == ("normal", "normal")


@pytest.mark.parametrize("fasting", [NO, None])
def test_it_flags_glucose_only_in_a_fasting_sample(fasting):
    result = score("biochem", {**BASE, "biochem_fasting": fasting, "biochem_glucose": 9.0})
    assert result["glucose_flag"] is None
    assert (result["tg_flag"], result["alt_flag"]) == ("normal", "normal")


def test_it_gives_no_sex_dependent_flags_without_sex():
    result = score("biochem", {**BASE, "biochem_sex": None})
    assert [result[k] for k in ("alt_flag", "ast_flag", "creatinine_flag", "urea_flag")] == [None] * 4
    assert result["tc_flag"] == "normal"


@pytest.mark.parametrize("value", [None, -5, 6000, "high"])
def test_it_gives_no_flag_for_a_missing_or_impossible_value(value):
    assert flag("alt", alt=value) is None
