"""VAS (100 mm Visual Analogue Scale for pain intensity) scorer.

The score is the measured distance in millimetres from the "no pain" end (0-100).
Bands follow Jensen MP, Chen C, Brugger AM. Interpretation of visual analog scale ratings and
change scores: a reanalysis of two clinical trials of postoperative pain. J Pain.
2003;4(7):407-414: 0-4 mm no pain, 5-44 mild, 45-74 moderate, 75-100 severe.
Fractional millimetres are kept; each band starts at its lower bound, so 4.5 mm is "none"
and 5 mm is "mild".
"""

from ._common import band, bounded, whole
from ._registry import Responses, Scores, scorer

BANDS = [(0, "none"), (5, "mild"), (45, "moderate"), (75, "severe")]


@scorer("vas")
def score_vas(responses: Responses) -> Scores:
    value = bounded(responses.get("vas_1"), 0, 100)
    return {"total": whole(value), "band": band(value, BANDS)}
