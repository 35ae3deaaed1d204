"""HAM-D (Hamilton Depression Rating Scale, 21 items) scorer.

Hamilton M. A rating scale for depression. J Neurol Neurosurg Psychiatry. 1960;23:56-62;
Hamilton M. Development of a rating scale for primary depressive illness. Br J Soc Clin
Psychol. 1967;6(4):278-296. Item ranges as in the 1967 scale: 0-4 for items 1-3, 7-11, 15
and 19; 0-2 for items 4-6, 12-14, 16-18 and 21; 0-3 for item 20 (paranoid symptoms).
That gives 0-52 for the first 17 items and 0-63 for all 21, the protocol's range.

``total_17`` is the conventional severity score (items 18-21 are not severity items);
``band`` is on total_17 with Zimmerman M, et al. Severity classification on the Hamilton
Depression Rating Scale. J Affect Disord. 2013;150(2):384-388: 0-7 no depression,
8-16 mild, 17-23 moderate, 24 or more severe.

Missing data: clinician-rated, no proration; a total needs every item it sums. Item 16 (loss of
weight) in the ECDEU Assessment Manual's form (Guy W. ECDEU Assessment Manual for Psychopharmacology,
1976, p. 179-192) has 3 for "not assessed", which counts 0 (definition version 1.1 offers it; 1.0 refuses
it, so no response stored under 1.0 scores differently and the scoring version stays).
"""

from collections.abc import Sequence

from ._common import band, bounded, total_or_none, whole
from ._registry import Responses, Scores, scorer

MAXIMUM = {n: 4 for n in (1, 2, 3, 7, 8, 9, 10, 11, 15, 19)}
MAXIMUM.update({n: 2 for n in (4, 5, 6, 12, 13, 14, 16, 17, 18, 21)})
MAXIMUM[20] = 3
BANDS = [(0, "none"), (8, "mild"), (17, "moderate"), (24, "severe")]
NOT_ASSESSED = {16: 3}  # item -> its "not assessed" code, which counts 0


def _item(responses: Responses, n: int) -> object:
    value = responses.get(f"hamd_{n}")
    return 0 if n in NOT_ASSESSED and value == NOT_ASSESSED[n] else value


def _sum(responses: Responses, numbers: Sequence[int]) -> float | None:
    return total_or_none([bounded(_item(responses, n), 0, MAXIMUM[n], integer=True) for n in numbers])


@scorer("hamd")
def score_hamd(responses: Responses) -> Scores:
    total_17 = _sum(responses, range(1, 18))
    total = _sum(responses, range(1, 22))
    return {"total": whole(total), "total_17": whole(total_17), "band": band(total_17, BANDS)}
