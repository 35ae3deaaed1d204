"""Chronic Pain Helplessness Scale (cphs) scorer: the Arthritis Helplessness Index in pain wording.

Version: the 15-item Arthritis Helplessness Index (AHI) with "pain" in place of "arthritis" (the form
known as the Pain Helplessness Index), items in the published order.
Nicassio PM, Wallston KA, Callahan LF, Herbert M, Pincus T. The measurement of helplessness in
rheumatoid arthritis: the development of the Arthritis Helplessness Index. J Rheumatol.
1985;12(3):462-467.

Reversed items: 1, 2, 4, 5, 8, 9, 13 and 15 (the items that assert control), as printed for the same
15 items in Omachi TA, Katz PP, Yelin EH, et al. The COPD Helplessness Index: a new tool to measure
factors affecting patient self-management. Chest. 2010;137(4):823-830, Table 2, footnote b. Item 11
("I can tell when it will get worse") is not reversed there, so it is not reversed here.

Response scale: the LBPB protocol asks for 0 (strongly disagree) to 5 (strongly agree), not the
published 4- or 5-point scale, so a reversed item scores 5 minus the answer and the total of the 15
keyed items runs 0-75, higher meaning more helpless. Totals are not on the published AHI metric, so
no published cut-off applies and none is returned. No subscales: the AHI's helplessness and
internality subscales (Stein et al. 1988) could not be checked item by item.

Missing data: no published rule was found. Chosen rule: the total is prorated (mean of the answered
keyed items times 15) when at least 12 of the 15 items are answered, so one skipped item does not
lose a visit's score, and is None when more than 3 are missing. An answer outside 0-5 or not a
whole number counts as missing. A prorated total is rounded to one decimal.
"""

from ._common import bounded_values, prorated_total, reverse, rounded
from ._registry import Responses, Scores, scorer

ITEM_COUNT = 15
ITEMS = [f"cphs_{n}" for n in range(1, ITEM_COUNT + 1)]
REVERSED = {1, 2, 4, 5, 8, 9, 13, 15}
LOW, HIGH = 0, 5
MIN_ANSWERED = 12


def keyed_values(responses: Responses) -> list[float | None]:
    """Each item's contribution to the total, reversed where the key says, None when missing."""
    raw = bounded_values(responses, ITEMS, LOW, HIGH)
    return [reverse(v, LOW, HIGH) if n in REVERSED else v for n, v in enumerate(raw, start=1)]


@scorer("cphs")
def score_cphs(responses: Responses) -> Scores:
    total = prorated_total(keyed_values(responses), min_answered=MIN_ANSWERED)
    return {"total": rounded(total, 1)}
