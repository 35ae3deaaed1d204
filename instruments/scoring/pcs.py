"""PCS (Pain Catastrophizing Scale) scorer.

Sullivan MJL. The Pain Catastrophizing Scale: User Manual. Montreal: McGill University; 2009.
(Sullivan MJL, Bishop SR, Pivik J. Psychol Assess. 1995;7(4):524-532.)
Thirteen items 0-4 summed (0-52). Subscales are sums: rumination items 8-11 (0-16),
magnification items 6, 7, 13 (0-12), helplessness items 1-5 and 12 (0-24).
The manual reports a total of 30 (about the 75th percentile in chronic pain samples) as a
clinically relevant level of catastrophizing; ``band`` is "clinically_relevant" at 30 or more.

Missing data: the manual gives no proration rule, so a sum needs all of its items.
"""

from collections.abc import Sequence

from ._common import bounded_values, total_or_none, whole
from ._registry import Responses, Scores, scorer

SUBSCALES = {
    "rumination": [8, 9, 10, 11],
    "magnification": [6, 7, 13],
    "helplessness": [1, 2, 3, 4, 5, 12],
}
CLINICAL_CUTOFF = 30


def _sum(responses: Responses, numbers: Sequence[int]) -> float | None:
    return total_or_none(bounded_values(responses, [f"pcs_{n}" for n in numbers], 0, 4))


@scorer("pcs")
def score_pcs(responses: Responses) -> Scores:
    total = _sum(responses, range(1, 14))
    result: Scores = {"total": whole(total)}
    result.update({name: whole(_sum(responses, items)) for name, items in SUBSCALES.items()})
    if total is None:
        result["band"] = None
    else:
        result["band"] = "clinically_relevant" if total >= CLINICAL_CUTOFF else "not_clinically_relevant"
    return result
