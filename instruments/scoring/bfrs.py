"""Brief Family Relationship Scale (BFRS) scorer.

Fok CCT, Allen J, Henry D. The Brief Family Relationship Scale: a brief measure of the relationship
dimension in family functioning. Assessment. 2014;21(1):67-72. Sixteen items adapted from the
Family Environment Scale: cohesion items 1-7, expressiveness items 8-10, conflict items 11-16. The
relationship total adds cohesion, expressiveness and reverse-scored conflict, so higher is a
healthier family.

Response format: Fok 2014 uses three options (not at all / somewhat / a lot). LBPB (NCT06967363)
administers a 7-point agreement scale coded 0 (strongly agree) to 6 (strongly disagree), and the
definition records those codes. Each answer is turned into agreement (6 - code, 0-6) so every
subscale keeps the published direction: cohesion 0-42, expressiveness 0-18, conflict 0-36 (higher
is more conflict), total 0-96 (conflict counted as 36 - conflict). Scores are therefore not on the
scale of the published 3-point norms.

Missing data: no proration rule is published, so each score needs all of its items.
"""

from collections.abc import Sequence

from ._common import bounded_values, total_or_none, whole
from ._registry import Responses, Scores, scorer

SUBSCALES = {"cohesion": range(1, 8), "expressiveness": range(8, 11), "conflict": range(11, 17)}
TOP = 6


def _agreement(responses: Responses, numbers: Sequence[int]) -> float | None:
    codes = bounded_values(responses, [f"bfrs_{n}" for n in numbers], 0, TOP)
    return total_or_none([None if c is None else TOP - c for c in codes])


@scorer("bfrs")
def score_bfrs(responses: Responses) -> Scores:
    scores = {name: _agreement(responses, numbers) for name, numbers in SUBSCALES.items()}
    parts = [scores["cohesion"], scores["expressiveness"]]
    conflict = scores["conflict"]
    parts.append(None if conflict is None else TOP * len(SUBSCALES["conflict"]) - conflict)
    result = {"total": whole(total_or_none(parts))}
    result.update({name: whole(value) for name, value in scores.items()})
    return result
