"""PHQ-9 (Patient Health Questionnaire-9) scorer.

Kroenke K, Spitzer RL, Williams JB. The PHQ-9: validity of a brief depression severity measure.
J Gen Intern Med. 2001;16(9):606-613. Items 1-9 are scored 0-3 and summed (0-27); severity
bands 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe.
Item 10 (functional difficulty) is not part of the score.

Missing data: Kroenke 2001 defines no proration, so the total needs all nine items.
"""

from ._common import band, bounded_values, total_or_none, whole
from ._registry import Responses, Scores, scorer

ITEMS = [f"phq9_{n}" for n in range(1, 10)]
BANDS = [(0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately_severe"), (20, "severe")]


@scorer("phq9")
def score_phq9(responses: Responses) -> Scores:
    total = total_or_none(bounded_values(responses, ITEMS, 0, 3))
    return {"total": whole(total), "band": band(total, BANDS)}
