"""Thought Control Questionnaire (TCQ) scorer.

Wells A, Davies MI. The Thought Control Questionnaire: a measure of individual differences in the
control of unwanted thoughts. Behav Res Ther. 1994;32(8):871-878. Thirty items scored 1 (never) to
4 (almost always); five 6-item subscales (range 6-24) and a total (30-120):
distraction 1, 9, 16, 19, 21, 30; social control 5, 8, 12, 17, 25, 29; worry 4, 7, 18, 22, 24, 26;
punishment 2, 6, 11, 13, 15, 28; reappraisal 3, 10, 14, 20, 23, 27.

Items 5, 8 and 12 ("don't talk about it", "keep it to myself", "avoid discussing it") are reverse
scored so that social control means seeking others out; the total sums all 30 keyed items.

Missing data: no proration rule is published, so each score needs all of its items.
"""

from ._common import bounded_values, reverse, total_or_none, whole
from ._registry import Responses, Scores, scorer

SUBSCALES = {
    "distraction": (1, 9, 16, 19, 21, 30),
    "social_control": (5, 8, 12, 17, 25, 29),
    "worry": (4, 7, 18, 22, 24, 26),
    "punishment": (2, 6, 11, 13, 15, 28),
    "reappraisal": (3, 10, 14, 20, 23, 27),
}
REVERSED = {5, 8, 12}


def _keyed(responses: Responses) -> dict[int, float | None]:
    raw = bounded_values(responses, [f"tcq_{n}" for n in range(1, 31)], 1, 4)
    return {n: reverse(v, 1, 4) if n in REVERSED else v for n, v in enumerate(raw, start=1)}


@scorer("tcq")
def score_tcq(responses: Responses) -> Scores:
    keyed = _keyed(responses)
    result = {"total": whole(total_or_none(list(keyed.values())))}
    for name, numbers in SUBSCALES.items():
        result[name] = whole(total_or_none([keyed[n] for n in numbers]))
    return result
