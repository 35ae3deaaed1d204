"""Dietary patterns (food-frequency component): dietary diversity.

``diversity`` counts the core food groups eaten at least once a week (frequency code
>= 2, "1-2 times a week"). Only the 11 nutritionally distinct groups count; processed
foods, sugary drinks, fried food, pickled food, tea and coffee are recorded but not
counted, following the food-group diversity principle of FAO's Minimum Dietary
Diversity for Women (FAO 2021, "Minimum dietary diversity for women: an updated guide
to measurement"), which leaves out sweets, sugary drinks, fried snacks and condiments.
The weekly window follows the Chinese Dietary Guidelines 2022 (中国居民膳食指南(2022)),
which sets food variety targets per week.

Missing data: a group left blank cannot be assumed "not eaten", so diversity is None
unless all 11 core groups are answered. There is no published total score (seed 000).
"""

from __future__ import annotations

from typing import Any

from ._common import number_in
from ._registry import Responses, scorer

CORE_GROUPS = [
    "fruits",
    "vegetables",
    "whole_grains",
    "refined_grains",
    "dairy",
    "red_meat",
    "poultry",
    "fish",
    "eggs",
    "legumes",
    "nuts",
]
WEEKLY = 2  # frequency code for "1-2 times a week"; codes 0-6, see the YAML option set


@scorer("diet_ffq")
def score_diet_ffq(responses: Responses) -> dict[str, Any]:
    codes = [number_in(responses.get(f"diet_ffq_{group}"), 0, 6) for group in CORE_GROUPS]
    present = [code for code in codes if code is not None]
    if len(present) < len(codes):
        return {"diversity": None}
    return {"diversity": sum(1 for code in present if code >= WEEKLY)}
