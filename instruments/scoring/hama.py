"""HAM-A (Hamilton Anxiety Rating Scale) scorer.

Hamilton M. The assessment of anxiety states by rating. Br J Med Psychol. 1959;32(1):50-55.
Fourteen clinician-rated items 0-4 summed (0-56). Psychic anxiety is items 1-6 and 14,
somatic anxiety items 7-13 (the split used since Hamilton 1959 and in the ECDEU version).

Bands: the LBPB protocol (NCT06967363, outcome "Hamilton Anxiety Scale") interprets
0-17 mild, 18-24 mild to moderate, 25-30 moderate to severe. It says nothing above 30;
we call 31-56 "severe" so that every total has a band (the lead may prefer None there).

Missing data: a clinician rates every item; no proration, so a sum needs all of its items.
"""

from collections.abc import Sequence

from ._common import band, bounded_values, total_or_none, whole
from ._registry import Responses, Scores, scorer

PSYCHIC = [1, 2, 3, 4, 5, 6, 14]
SOMATIC = [7, 8, 9, 10, 11, 12, 13]
BANDS = [(0, "mild"), (18, "mild_to_moderate"), (25, "moderate_to_severe"), (31, "severe")]


def _sum(responses: Responses, numbers: Sequence[int]) -> float | None:
    return total_or_none(bounded_values(responses, [f"hama_{n}" for n in numbers], 0, 4))


@scorer("hama")
def score_hama(responses: Responses) -> Scores:
    total = _sum(responses, range(1, 15))
    return {
        "total": whole(total),
        "psychic": whole(_sum(responses, PSYCHIC)),
        "somatic": whole(_sum(responses, SOMATIC)),
        "band": band(total, BANDS),
    }
