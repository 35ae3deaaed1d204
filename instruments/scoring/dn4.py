"""Douleur Neuropathique 4 (DN4) scorer.

Bouhassira D, Attal N, Alchaar H, et al. Comparison of pain syndromes associated with nervous or
somatic lesions and development of a new neuropathic pain diagnostic questionnaire (DN4).
Pain. 2005;114(1-2):29-36. Ten yes (1) / no (0) items: 7 from the interview (items 1-7) and 3
from the examination (items 8-10). Total 0-10; a total >= 4 classifies the pain as neuropathic.
The interview part alone (DN4-interview, items 1-7, 0-7) uses a cut-off of >= 3 (same paper).

Missing data: a score needs all of its items; the interview score is still computed when the
examination is not done.
"""

from ._common import band, bounded_values, total_or_none, whole
from ._registry import Responses, Scores, scorer

ITEMS = [f"dn4_{n}" for n in range(1, 11)]
TOTAL_BANDS = [(0, "not_neuropathic"), (4, "neuropathic")]
INTERVIEW_BANDS = [(0, "not_neuropathic"), (3, "neuropathic")]


@scorer("dn4")
def score_dn4(responses: Responses) -> Scores:
    values = bounded_values(responses, ITEMS, 0, 1)
    total = total_or_none(values)
    interview = total_or_none(values[:7])
    return {
        "total": whole(total),
        "band": band(total, TOTAL_BANDS),
        "interview": whole(interview),
        "interview_band": band(interview, INTERVIEW_BANDS),
    }
