"""JOA (Japanese Orthopaedic Association score for low back pain, 29-point version) scorer.

Izumida S, Inoue S. Assessment of treatment for low back pain. J Jpn Orthop Assoc.
1986;60:391-394 (in Japanese); English layout as in Fujiwara A, Kobayashi N, Saiki K, et al.
Spine. 2003;28(14):1601-1607.
- Subjective symptoms (0-9): low back pain, leg pain/tingling, gait; each 0-3.
- Clinical signs (0-6): straight-leg raising, sensory disturbance, motor disturbance; each 0-2.
- Restriction of activities of daily living (0-14): seven activities, each 0-2.
- Urinary bladder function (-6 to 0): 0 normal, -3 mild dysuria, -6 severe dysuria.
Total -6 to 29. The recovery rate needs a baseline and is computed elsewhere, not here.

Missing data: the JOA defines no proration; a part (and the total) needs all of its items.
"""

from typing import Any

from ._common import bounded, bounded_values, total_or_none, whole
from ._registry import Responses, Scores, scorer

PARTS = {
    "subjective": ([1, 2, 3], 3),
    "clinical_signs": ([4, 5, 6], 2),
    "adl": ([7, 8, 9, 10, 11, 12, 13], 2),
}
BLADDER_CODES = (-6, -3, 0)


def _bladder(value: Any) -> float | None:
    got = bounded(value, -6, 0, integer=True)
    return got if got in BLADDER_CODES else None


@scorer("joa")
def score_joa(responses: Responses) -> Scores:
    parts = {
        name: total_or_none(bounded_values(responses, [f"joa_{n}" for n in numbers], 0, top))
        for name, (numbers, top) in PARTS.items()
    }
    parts["bladder"] = _bladder(responses.get("joa_14"))
    total = total_or_none(list(parts.values()))
    result = {"total": whole(total)}
    result.update({name: whole(value) for name, value in parts.items()})
    return result
