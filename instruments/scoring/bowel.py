"""Bowel habits: stool-form category from the Bristol Stool Form Scale.

Types 1-2 are constipation-type stools, 3-5 normal and 6-7 diarrhoea-type, the grouping
used by the Rome IV criteria for IBS subtyping (Lacy BE et al. Gastroenterology.
2016;150:1393-1407) for the scale of Lewis SJ, Heaton KW (Scand J Gastroenterol.
1997;32(9):920-924). Rome IV counts type 3 as normal; some older papers put type 3 with
constipation, which we do not.
"""

from __future__ import annotations

from typing import Any

from ._common import band, number_in
from ._registry import Responses, scorer

CATEGORIES = [(1, "constipation"), (3, "normal"), (6, "diarrhoea")]


@scorer("bowel")
def score_bowel(responses: Responses) -> dict[str, Any]:
    stool_type = number_in(responses.get("bowel_bristol"), 1, 7)
    if stool_type is not None and not stool_type.is_integer():
        stool_type = None
    return {"bristol_category": band(stool_type, CATEGORIES)}
