"""ISI (Insomnia Severity Index) scorer.

Bastien CH, Vallieres A, Morin CM. Validation of the Insomnia Severity Index as an outcome
measure for insomnia research. Sleep Med. 2001;2(4):297-307. Seven items scored 0-4 and summed
(0-28); 0-7 no clinically significant insomnia, 8-14 subthreshold, 15-21 clinical insomnia of
moderate severity, 22-28 severe clinical insomnia.

Missing data: Bastien 2001 defines no proration, so the total needs all seven items.
"""

from ._common import band, bounded_values, total_or_none, whole
from ._registry import Responses, Scores, scorer

ITEMS = [f"isi_{n}" for n in range(1, 8)]
BANDS = [(0, "none"), (8, "subthreshold"), (15, "moderate"), (22, "severe")]


@scorer("isi")
def score_isi(responses: Responses) -> Scores:
    total = total_or_none(bounded_values(responses, ITEMS, 0, 4))
    return {"total": whole(total), "band": band(total, BANDS)}
