"""Demographics CRF: age at the visit, body-mass index and its Chinese adult band.

BMI bands follow the Chinese adult cut-offs of the Working Group on Obesity in China
(Zhou BF. Biomed Environ Sci. 2002;15(1):83-96) as adopted in the health standard
WS/T 428-2013 "Criteria of weight for adults" (成人体重判定): underweight < 18.5,
normal 18.5-23.9, overweight 24.0-27.9, obese >= 28.0 kg/m2.

The band is taken from the BMI rounded to one decimal, as reported, so that the band
shown always agrees with the number shown (WS/T 428 writes its limits to one decimal).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ._common import band, number_in, rounded
from ._registry import Responses, scorer

BMI_BANDS = [(0.0, "underweight"), (18.5, "normal"), (24.0, "overweight"), (28.0, "obese")]


def parse_date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def age_in_years(birth: date | None, on: date | None) -> int | None:
    """Completed years; None when a date is missing or birth is after the visit."""
    if birth is None or on is None or birth > on:
        return None
    had_birthday = (on.month, on.day) >= (birth.month, birth.day)
    return on.year - birth.year - (0 if had_birthday else 1)


def bmi(height_cm: float | None, weight_kg: float | None) -> int | float | None:
    if height_cm is None or weight_kg is None:
        return None
    metres = height_cm / 100
    return rounded(weight_kg / (metres * metres), 1)


@scorer("demographics")
def score_demographics(responses: Responses) -> dict[str, Any]:
    birth = parse_date(responses.get("demographics_birth_date"))
    visit = parse_date(responses.get("demographics_visit_date"))
    height = number_in(responses.get("demographics_height"), 100, 230)
    weight = number_in(responses.get("demographics_weight"), 25, 250)
    value = bmi(height, weight)
    return {"age": age_in_years(birth, visit), "bmi": value, "bmi_band": band(value, BMI_BANDS)}
