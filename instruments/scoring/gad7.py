"""GAD-7 (Generalized Anxiety Disorder 7-item scale) scorer.

Spitzer RL, Kroenke K, Williams JB, Lowe B. A brief measure for assessing generalized anxiety
disorder: the GAD-7. Arch Intern Med. 2006;166(10):1092-1097. Items 1-7 are scored 0-3 and
summed (0-21); cut-points 5, 10 and 15 give minimal, mild, moderate and severe anxiety.
Item 8 (functional difficulty) is not part of the score.

Missing data: Spitzer 2006 defines no proration, so the total needs all seven items.
"""

from ._common import band, bounded_values, total_or_none, whole
from ._registry import Responses, Scores, scorer

ITEMS = [f"gad7_{n}" for n in range(1, 8)]
BANDS = [(0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")]


@scorer("gad7")
def score_gad7(responses: Responses) -> Scores:
    total = total_or_none(bounded_values(responses, ITEMS, 0, 3))
    return {"total": whole(total), "band": band(total, BANDS)}
