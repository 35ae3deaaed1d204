"""Complete blood count: low / normal / high flag for each analyte.

Adult reference intervals of the Chinese health-industry standard WS/T 405-2012 "Reference intervals for
blood cell analysis" (血细胞分析参考区间; Ministry of Health, published 2012-12-25, in force 2013-08-01),
venous blood, automated analyser. The study behind it: Wu X et al., "Complete blood count reference
intervals for healthy Han Chinese adults", PLoS One 2015;10(3):e0119669. WBC 3.5-9.5 x10^9/L; RBC male
4.3-5.8, female 3.8-5.1 x10^12/L; haemoglobin male 130-175, female 115-150 g/L; haematocrit male 0.40-0.50,
female 0.35-0.45 L/L (entered here in %); platelets 125-350 x10^9/L; neutrophils 40-75 %, lymphocytes
20-50 %, monocytes 3-10 %, eosinophils 0.4-8.0 %, basophils 0-1 %. RBC, haemoglobin and haematocrit differ
by sex, so their flags need the sex item; without it they are None. Limits count as normal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._common import number_in, range_flag
from ._registry import Responses, scorer

MALE, FEMALE = 1, 2

# analyte: (lowest plausible, highest plausible, reference interval or {sex: interval})
ANALYTES: dict[str, tuple[float, float, Any]] = {
    "wbc": (0, 500, (3.5, 9.5)),
    "rbc": (0, 10, {MALE: (4.3, 5.8), FEMALE: (3.8, 5.1)}),
    "hgb": (0, 300, {MALE: (130, 175), FEMALE: (115, 150)}),
    "hct": (0, 100, {MALE: (40, 50), FEMALE: (35, 45)}),
    "plt": (0, 3000, (125, 350)),
    "neut_pct": (0, 100, (40, 75)),
    "lymph_pct": (0, 100, (20, 50)),
    "mono_pct": (0, 100, (3, 10)),
    "eos_pct": (0, 100, (0.4, 8.0)),
    "baso_pct": (0, 100, (0, 1)),
}


def interval(reference: Any, sex: float | None) -> tuple[float | None, float | None]:
    found: tuple[float | None, float | None] = (
        reference.get(sex, (None, None)) if isinstance(reference, dict) else reference
    )
    return found


Analytes = Mapping[str, tuple[float, float, Any]]


def lab_flags(responses: Responses, prefix: str, analytes: Analytes, key: Any) -> dict[str, str | None]:
    """``<analyte>_flag`` for each analyte; ``key`` picks the interval from a dict of intervals."""
    flags = {}
    for name, (lowest, highest, reference) in analytes.items():
        value = number_in(responses.get(f"{prefix}_{name}"), lowest, highest)
        low, high = interval(reference, key)
        flags[f"{name}_flag"] = range_flag(value, low, high)
    return flags


@scorer("cbc")
def score_cbc(responses: Responses) -> dict[str, Any]:
    sex = number_in(responses.get("cbc_sex"), 1, 2)
    return lab_flags(responses, "cbc", ANALYTES, sex)
