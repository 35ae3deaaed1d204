"""Lumbar imaging grades per disc level: worst Pfirrmann grade and Modic changes.

Pfirrmann grades I-V (Pfirrmann CW et al. Spine. 2001;26(17):1873-1878) and Modic
types 0 (none), I, II, III (Modic MT et al. Radiology. 1988;166:193-199) are read per
level L1/2 to L5/S1. Seed 002 (ADMSC trial, ChiCTR2200058291) asks for Modic type I or II
end-plate change and L4/5 Pfirrmann grade 3-5, so those are derived too.

A worst grade or "no Modic change" needs every level read; a grade V or a Modic change
found at any level settles the answer even when other levels are missing.
Yes/no results are 1/0, like yes/no items.
"""

from __future__ import annotations

from typing import Any

from ._common import number_in
from ._registry import Responses, scorer

LEVELS = ["l1_l2", "l2_l3", "l3_l4", "l4_l5", "l5_s1"]


def grades(responses: Responses, measure: str, low: int, high: int) -> list[float | None]:
    return [number_in(responses.get(f"imaging_grades_{level}_{measure}"), low, high) for level in LEVELS]


def worst(values: list[float | None], ceiling: int) -> int | None:
    known = [v for v in values if v is not None]
    if known and (len(known) == len(values) or max(known) == ceiling):
        return int(max(known))
    return None


def any_of(values: list[float | None], wanted: set[int]) -> int | None:
    if any(v in wanted for v in values):
        return 1
    return None if any(v is None for v in values) else 0


@scorer("imaging_grades")
def score_imaging_grades(responses: Responses) -> dict[str, Any]:
    pfirrmann = grades(responses, "pfirrmann", 1, 5)
    modic = grades(responses, "modic", 0, 3)
    l45 = pfirrmann[LEVELS.index("l4_l5")]
    return {
        "worst_pfirrmann": worst(pfirrmann, 5),
        "any_modic": any_of(modic, {1, 2, 3}),
        "any_modic_1_or_2": any_of(modic, {1, 2}),
        "l4_l5_pfirrmann_3_to_5": None if l45 is None else int(l45 >= 3),
    }
