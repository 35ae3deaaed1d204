"""Pain Sensitivity Questionnaire (PSQ) scorer.

Ruscheweyh R, Marziniak M, Stumpenhorst F, Reinholz J, Knecht S. Pain sensitivity can be assessed
by self-rating: development and validation of the Pain Sensitivity Questionnaire. Pain.
2009;146(1-2):65-74. Seventeen imagined situations rated 0-10. Items 5, 9 and 13 are non-painful
control situations and are not scored. PSQ-total is the mean of the 14 painful items;
PSQ-minor the mean of items 3, 6, 7, 10, 11, 12, 16 and PSQ-moderate the mean of items
1, 2, 4, 8, 14, 15, 17 (each 0-10). Means are reported to two decimals.

Missing data: the paper gives no rule for missing items, so each mean needs all of its items.
"""

from collections.abc import Sequence

from ._common import bounded_values, rounded, total_or_none
from ._registry import Responses, Scores, scorer

MINOR = (3, 6, 7, 10, 11, 12, 16)
MODERATE = (1, 2, 4, 8, 14, 15, 17)


def _mean(responses: Responses, numbers: Sequence[int]) -> int | float | None:
    total = total_or_none(bounded_values(responses, [f"psq_{n}" for n in numbers], 0, 10))
    return None if total is None else rounded(total / len(numbers), 2)


@scorer("psq")
def score_psq(responses: Responses) -> Scores:
    return {
        "total": _mean(responses, sorted(MINOR + MODERATE)),
        "minor": _mean(responses, MINOR),
        "moderate": _mean(responses, MODERATE),
    }
