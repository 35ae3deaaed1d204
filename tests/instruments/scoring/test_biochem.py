"""Biochemistry flags: ALT/AST by sex (WS/T 404.1-2012), creatinine/urea by sex and age (WS/T 404.5-2015),
fasting glucose 3.9-6.1, triglycerides < 1.7, total cholesterol < 5.2 mmol/L."""

import pytest

from instruments.scoring import score

MALE, FEMALE = 1, 2
BASE = {"biochem_sex": MALE, "biochem_age": 45, "biochem_alt": 25, "biochem_ast": 22,
        "biochem_creatinine": 80, "biochem_urea": 5.0,
        "biochem_glucose": 5.0, "biochem_tg": 1.2, "biochem_tc": 4.5}


def flag(name, **changes):
    values = {**BASE, **{f"biochem_{key}": value for key, value in changes.items()}}
    return score("biochem", values)[f"{name}_flag"]


def test_it_flags_a_typical_normal_panel_as_all_normal():
    assert set(score("biochem", BASE).values()) == {"normal"}


@pytest.mark.parametrize(
    "name, changes, expected",
    [
        ("alt", {"alt": 8}, "low"),
        ("alt", {"alt": 9}, "normal"),
        ("alt", {"alt": 50}, "normal"),
        ("alt", {"alt": 51}, "high"),
        ("alt", {"sex": FEMALE, "alt": 40}, "normal"),
        ("alt", {"sex": FEMALE, "alt": 41}, "high"),
        ("ast", {"ast": 41}, "high"),
        ("ast", {"sex": FEMALE, "ast": 12}, "low"),
        ("creatinine", {"age": 59, "creatinine": 97}, "normal"),
        ("creatinine", {"age": 59, "creatinine": 98}, "high"),
        ("creatinine", {"age": 60, "creatinine": 98}, "normal"),  # older band 57-111
        ("creatinine", {"age": 60, "creatinine": 111}, "normal"),
        ("creatinine", {"age": 60, "creatinine": 112}, "high"),
        ("creatinine", {"age": 18, "creatinine": 56}, "low"),  # 20-59 band applied from 18
        ("creatinine", {"sex": FEMALE, "creatinine": 41}, "normal"),
        ("creatinine", {"sex": FEMALE, "creatinine": 40}, "low"),
        ("creatinine", {"sex": FEMALE, "age": 85, "creatinine": 81}, "normal"),  # 60-79 band beyond 79
        ("creatinine", {"sex": FEMALE, "age": 85, "creatinine": 82}, "high"),
        ("urea", {"urea": 8.0}, "normal"),
        ("urea", {"urea": 8.1}, "high"),
        ("urea", {"sex": FEMALE, "age": 65, "urea": 8.8}, "normal"),
        ("urea", {"sex": FEMALE, "age": 65, "urea": 8.9}, "high"),
        ("urea", {"sex": FEMALE, "urea": 2.5}, "low"),
        ("glucose", {"glucose": 3.8}, "low"),
        ("glucose", {"glucose": 3.9}, "normal"),
        ("glucose", {"glucose": 6.1}, "normal"),
        ("glucose", {"glucose": 6.2}, "high"),
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


def test_it_gives_no_sex_dependent_flags_without_sex():
    result = score("biochem", {**BASE, "biochem_sex": None})
    assert [result[k] for k in ("alt_flag", "ast_flag", "creatinine_flag", "urea_flag")] == [None] * 4
    assert result["tc_flag"] == "normal"


@pytest.mark.parametrize("value", [None, -5, 6000, "high"])
def test_it_gives_no_flag_for_a_missing_or_impossible_value(value):
    assert flag("alt", alt=value) is None
