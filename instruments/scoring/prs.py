"""Pain Resilience Scale (PRS) scorer.

Slepian PM, Ankawi B, Himawan LK, France CR. Development and initial validation of the Pain
Resilience Scale. J Pain. 2016;17(4):462-472. Fourteen items scored 0 (not at all) to 4 (all the
time); no reversed items. Total 0-56 (higher is more resilient); Behavioral Perseverance is the sum
of items 1-4 (0-16) and Cognitive/Affective Positivity the sum of items 5-14 (0-40).

Missing data: no proration rule is published, so each score needs all of its items.
"""

from collections.abc import Sequence

from ._common import bounded_values, total_or_none, whole
from ._registry import Responses, Scores, scorer

BEHAVIORAL = range(1, 5)
POSITIVITY = range(5, 15)


def _sum(responses: Responses, numbers: Sequence[int]) -> int | float | None:
    return whole(total_or_none(bounded_values(responses, [f"prs_{n}" for n in numbers], 0, 4)))


@scorer("prs")
def score_prs(responses: Responses) -> Scores:
    return {
        "total": _sum(responses, range(1, 15)),
        "behavioral_perseverance": _sum(responses, BEHAVIORAL),
        "cognitive_affective_positivity": _sum(responses, POSITIVITY),
    }
