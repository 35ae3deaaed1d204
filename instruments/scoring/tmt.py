"""Trail Making Test: derived B-A difference and B/A ratio.

B-A removes the motor-speed component shared by both parts and B/A expresses the
switching cost relative to speed (Reitan RM. Percept Mot Skills. 1958;8:271-276;
Sanchez-Cubillo I et al. J Int Neuropsychol Soc. 2009;15(3):438-450). Both need both
times; the ratio is given to two decimals.
"""

from __future__ import annotations

from typing import Any

from ._common import difference, number_in, rounded
from ._registry import Responses, scorer

MAX_SECONDS = 600  # the usual discontinuation limit is 300 s; 600 allows a lenient site rule


@scorer("tmt")
def score_tmt(responses: Responses) -> dict[str, Any]:
    part_a = number_in(responses.get("tmt_a_time"), 1, MAX_SECONDS)
    part_b = number_in(responses.get("tmt_b_time"), 1, MAX_SECONDS)
    ratio = None if part_a is None or part_b is None else part_b / part_a
    return {"b_minus_a": rounded(difference(part_b, part_a), 1), "b_over_a": rounded(ratio, 2)}
