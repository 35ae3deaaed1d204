"""Pain Self-Efficacy Questionnaire (PSEQ) scorer.

Nicholas MK. The pain self-efficacy questionnaire: taking pain into account. Eur J Pain.
2007;11(2):153-163. Ten items scored 0 (not at all confident) to 6 (completely confident), summed
to 0-60; higher is more confident. No reversed items. The Chinese PSEQ (Lim HS et al. Pain.
2007;131:114-124) keeps the same 10 items and 0-6 format.

Missing data: Nicholas 2007 gives no proration rule, so the total needs all 10 items.
"""

from ._common import bounded_values, total_or_none, whole
from ._registry import Responses, Scores, scorer

ITEMS = [f"pseq_{n}" for n in range(1, 11)]


@scorer("pseq")
def score_pseq(responses: Responses) -> Scores:
    return {"total": whole(total_or_none(bounded_values(responses, ITEMS, 0, 6)))}
