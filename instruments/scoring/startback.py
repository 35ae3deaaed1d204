"""STarT Back Screening Tool (SBST) scorer.

Hill JC, Dunn KM, Lewis M, et al. A primary care back pain screening tool: identifying patient
subgroups for initial treatment. Arthritis Rheum. 2008;59(5):632-641 (Keele University scoring
guide). Items 1-8 score 1 for "agree" and 0 for "disagree"; item 9 (bothersomeness) scores 1 for
"very much" or "extremely" and 0 otherwise. Total 0-9; psychosocial subscale items 5-9 (0-5).
Risk groups: total <= 3 low; otherwise psychosocial <= 3 medium and >= 4 high.

Missing data: the tool gives no proration; each score needs all of its items. The band needs the
total, and the psychosocial score when the total is above 3.
"""

from typing import Any

from ._common import bounded, bounded_values, total_or_none, whole
from ._registry import Responses, Scores, scorer

AGREE_ITEMS = [f"startback_{n}" for n in range(1, 9)]
VERY_MUCH = 3  # option codes 3 (very much) and 4 (extremely) count as bothersome


def _bothersome(value: Any) -> float | None:
    code = bounded(value, 0, 4, integer=True)
    return None if code is None else float(code >= VERY_MUCH)


def _band(total: float | None, psychosocial: float | None) -> str | None:
    if total is None:
        return None
    if total <= 3:
        return "low"
    if psychosocial is None:
        return None
    return "medium" if psychosocial <= 3 else "high"


@scorer("startback")
def score_startback(responses: Responses) -> Scores:
    items = bounded_values(responses, AGREE_ITEMS, 0, 1) + [_bothersome(responses.get("startback_9"))]
    total = total_or_none(items)
    psychosocial = total_or_none(items[4:])
    return {"total": whole(total), "psychosocial": whole(psychosocial), "band": _band(total, psychosocial)}
