"""UCLA Loneliness Scale, Version 3, scorer.

Russell DW. UCLA Loneliness Scale (Version 3): reliability, validity, and factor structure.
J Pers Assess. 1996;66(1):20-40. Twenty items scored 1 (never) to 4 (often); items 1, 5, 6, 9, 10,
15, 16, 19 and 20 are worded positively and reverse-scored; the sum runs 20-80, higher is lonelier.

Missing data: Russell 1996 gives no proration rule, so the total needs all 20 items.
"""

from ._common import bounded_values, reverse, total_or_none, whole
from ._registry import Responses, Scores, scorer

ITEMS = [f"ucla_{n}" for n in range(1, 21)]
REVERSED = {1, 5, 6, 9, 10, 15, 16, 19, 20}


@scorer("ucla")
def score_ucla(responses: Responses) -> Scores:
    raw = bounded_values(responses, ITEMS, 1, 4)
    keyed = [reverse(v, 1, 4) if n in REVERSED else v for n, v in enumerate(raw, start=1)]
    return {"total": whole(total_or_none(keyed))}
