"""Blood biochemistry (liver and kidney function, glucose, lipids): low / normal / high flags.

Reference intervals, adults (checked in November 2026; see the definition's ``source`` for what each rests on):
- ALT, AST: WS/T 404.1-2012 "Reference intervals for common clinical biochemistry tests, part 1" (in force
  2013-08-01), the interval for reagents without pyridoxal phosphate, by sex: ALT male 9-50, female 7-40 U/L;
  AST male 15-40, female 13-35 U/L. Reagents with pyridoxal phosphate have a second, higher set.
- Creatinine (enzymatic method, IDMS-traceable) and urea: WS/T 404.5-2015, part 5 (in force 2015-10-01), by
  sex and age band 20-59 / 60-79 years. The standard covers 20-79 years; we apply the 20-59 band from 18 and
  the 60-79 band beyond 79, and say so on the form.
- Fasting glucose: WS/T 404 has no glucose part. The upper limit is the Chinese Diabetes Society's normal
  fasting glucose, < 6.1 mmol/L (Guideline for the prevention and treatment of type 2 diabetes mellitus in
  China, 2020 edition, Chinese Diabetes Society, published April 2021; 6.1 to < 7.0 is impaired fasting glucose).
  The lower limit 3.9 is the usual Chinese laboratory interval (3.9-6.1); the guideline's 3.9 threshold is
  the hypoglycaemia alert for people with diabetes (without diabetes it is < 2.8). Only a fasting sample is
  flagged: the interval says nothing about a sample taken after a meal.
- Triglycerides < 1.7 and total cholesterol < 5.2 mmol/L: Chinese guidelines for lipid management (2023),
  Chin J Cardiol 2023;51(3):221-255, doi:10.3760/cma.j.cn112148-20230119-00038, reference levels for low-risk
  primary prevention ("appropriate level"; 1.7 and 5.2 begin "borderline high", unchanged from the 2016
  guideline); lipids have no "low" flag.
Limits count as normal; an upper limit written "< x" is stored as the largest 2-decimal value below x (the
form takes 2 decimals). Sex- or age-dependent flags are None when the sex or age item is missing.
"""

from __future__ import annotations

from typing import Any

from ._common import number_in
from ._registry import Responses, scorer
from .cbc import lab_flags

MALE, FEMALE = 1, 2
YES = 1
FASTING = {
    "glucose": (0, 50, (3.9, 6.09)),  # normal fasting glucose is < 6.1
}
FIXED = {
    "tg": (0, 50, (0, 1.69)),  # < 1.7
    "tc": (0, 30, (0, 5.19)),  # < 5.2
}
BY_SEX = {
    "alt": (0, 5000, {MALE: (9, 50), FEMALE: (7, 40)}),
    "ast": (0, 5000, {MALE: (15, 40), FEMALE: (13, 35)}),
}
# (sex, older) -> interval, where older means 60 years or more
BY_SEX_AND_AGE = {
    "creatinine": (
        0,
        3000,
        {(MALE, False): (57, 97), (MALE, True): (57, 111), (FEMALE, False): (41, 73), (FEMALE, True): (41, 81)},
    ),
    "urea": (
        0,
        100,
        {(MALE, False): (3.1, 8.0), (MALE, True): (3.6, 9.5), (FEMALE, False): (2.6, 7.5), (FEMALE, True): (3.1, 8.8)},
    ),
}


@scorer("biochem")
def score_biochem(responses: Responses) -> dict[str, Any]:
    sex = number_in(responses.get("biochem_sex"), 1, 2)
    age = number_in(responses.get("biochem_age"), 18, 120)
    sex_age = None if sex is None or age is None else (sex, age >= 60)
    fasting = number_in(responses.get("biochem_fasting"), 0, 1) == YES
    return {
        **lab_flags(responses, "biochem", BY_SEX, sex),
        **lab_flags(responses, "biochem", BY_SEX_AND_AGE, sex_age),
        **(lab_flags(responses, "biochem", FASTING, None) if fasting else {"glucose_flag": None}),
        **lab_flags(responses, "biochem", FIXED, None),
    }
