"""Demographics: age in completed years, BMI to one decimal, Chinese adult BMI bands (WS/T 428-2013)."""

import pytest

from instruments.scoring import score


def responses(birth="1980-05-02", visit="2025-05-01", height=170, weight=70):
    return {
        "demographics_birth_date": birth,
        "demographics_visit_date": visit,
        "demographics_height": height,
        "demographics_weight": weight,
    }


@pytest.mark.parametrize(
    "birth, visit, age",
    [
        ("1980-05-02", "2025-05-01", 44),  # birthday tomorrow: not yet 45
        ("1980-05-01", "2025-05-01", 45),  # birthday today
        ("2000-02-29", "2025-02-28", 24),  # leap-day birth, not yet had a birthday this year
        ("2000-02-29", "2025-03-01", 25),
        ("2025-05-02", "2025-05-01", None),  # born after the visit: impossible
        (None, "2025-05-01", None),
        ("1980-13-01", "2025-05-01", None),  # not a date
        ("1980-05-02", None, None),
    ],
)
def test_it_gives_age_in_completed_years_at_the_visit(birth, visit, age):
    assert score("demographics", responses(birth=birth, visit=visit))["age"] == age


@pytest.mark.parametrize(
    "height, weight, bmi, band",
    [
        (170, 70, 24.2, "overweight"),  # 70 / 1.70^2 = 24.22
        (200, 73.6, 18.4, "underweight"),  # height 2 m: BMI = weight / 4
        (200, 74.0, 18.5, "normal"),
        (200, 95.6, 23.9, "normal"),
        (200, 95.8, 24, "overweight"),  # 23.95 rounds to 24.0 and is banded as shown
        (200, 96.0, 24, "overweight"),
        (200, 111.6, 27.9, "overweight"),
        (200, 112.0, 28, "obese"),
        (100, 25, 25, "overweight"),  # smallest allowed height and weight
        (230, 250, 47.3, "obese"),  # largest allowed: 250 / 5.29 = 47.26
    ],
)
def test_it_computes_bmi_and_its_chinese_band(height, weight, bmi, band):
    result = score("demographics", responses(height=height, weight=weight))
    assert (result["bmi"], result["bmi_band"]) == (bmi, band)


@pytest.mark.parametrize("height, weight", [(None, 70), (170, None), (50, 70), (170, 400), ("tall", 70)])
def test_it_gives_no_bmi_when_height_or_weight_is_missing_or_out_of_range(height, weight):
    result = score("demographics", responses(height=height, weight=weight))
    assert (result["bmi"], result["bmi_band"]) == (None, None)


def test_it_scores_an_empty_form_as_all_none():
    assert score("demographics", {}) == {"age": None, "bmi": None, "bmi_band": None}
