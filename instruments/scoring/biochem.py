"""Blood biochemistry (liver and kidney function, glucose, lipids): low / normal / high flags.

Reference intervals, adults:
- ALT, AST: WS/T 404.1-2012 (method without pyridoxal phosphate), by sex.
- Creatinine (enzymatic method) and urea: WS/T 404.5-2015, by sex and age band
  20-59 / 60-79 years. The standard covers 20-79 years; we apply the 20-59 band from
  18 years and the 60-79 band beyond 79, and say so on the form.
- Fasting glucose 3.9-6.1 mmol/L: Chinese Diabetes Society, Guideline for the prevention
  and treatment of type 2 diabetes in China (2020 edition), normal fasting glucose < 6.1
  and hypoglycaemia < 3.9 mmol/L.
- Triglycerides < 1.7 and total cholesterol < 5.2 mmol/L: Chinese guidelines for lipid
  management (2023), "appropriate level"; lipids have no "low" flag.
Sex- or age-dependent flags are None when the sex or age item is missing.
"""

from __future__ import annotations

from typing import Any

from ._common import number_in
from ._registry import Responses, scorer
from .cbc import lab_flags

MALE, FEMALE = 1, 2
FIXED = {
    "glucose": (0, 50, (3.9, 6.1)),
    "tg": (0, 50, (0, 1.69)),
    "tc": (0, 30, (0, 5.19)),
}
BY_SEX = {
    "alt": (0, 5000, {MALE: (9, 50), FEMALE: (7, 40)}),
    "ast": (0, 5000, {MALE: (15, 40), FEMALE: (13, 35)}),
}
# (sex, older) -> interval, where older means 60 years or more
BY_SEX_AND_AGE = {
    "creatinine": (0, 3000, {(MALE, False): (57, 97), (MALE, True): (57, 111),
                             (FEMALE, False): (41, 73), (FEMALE, True): (41, 81)}),
    "urea": (0, 100, {(MALE, False): (3.1, 8.0), (MALE, True): (3.6, 9.5),
                      (FEMALE, False): (2.6, 7.5), (FEMALE, True): (3.1, 8.8)}),
}


@scorer("biochem")
def score_biochem(responses: Responses) -> dict[str, Any]:
    sex = number_in(responses.get("biochem_sex"), 1, 2)
    age = number_in(responses.get("biochem_age"), 18, 120)
    sex_age = None if sex is None or age is None else (sex, age >= 60)
    return {
        **lab_flags(responses, "biochem", BY_SEX, sex),
        **lab_flags(responses, "biochem", BY_SEX_AND_AGE, sex_age),
        **lab_flags(responses, "biochem", FIXED, None),
    }
