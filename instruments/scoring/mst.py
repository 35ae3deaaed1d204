"""Mnemonic Similarity Task: lure discrimination index (LDI) and recognition (REC).

Stark SM, Yassa MA, Lacy JW, Stark CEL. A task to assess behavioral pattern separation
(BPS) in humans: data from healthy aging and mild cognitive impairment.
Neuropsychologia. 2013;51(12):2442-2449:

- LDI = p("similar" | lure) - p("similar" | foil);
- REC = p("old" | target) - p("old" | foil).

Proportions are entered as 0-1 and the indices are given to three decimals.
"""

from __future__ import annotations

from typing import Any

from ._common import difference, number_in, rounded
from ._registry import Responses, scorer


def proportion(responses: Responses, response: str, stimulus: str) -> float | None:
    return number_in(responses.get(f"mst_{stimulus}_{response}"), 0, 1)


@scorer("mst")
def score_mst(responses: Responses) -> dict[str, Any]:
    ldi = difference(proportion(responses, "similar", "lure"), proportion(responses, "similar", "foil"))
    rec = difference(proportion(responses, "old", "target"), proportion(responses, "old", "foil"))
    return {"ldi": rounded(ldi, 3), "rec": rounded(rec, 3)}
