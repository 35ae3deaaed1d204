"""painDETECT questionnaire scorer.

Freynhagen R, Baron R, Gockel U, Tölle TR. painDETECT: a new screening questionnaire to identify
neuropathic components in patients with back pain. Curr Med Res Opin. 2006;22(10):1911-1920.
Score = the 7 sensory items (paindetect_6..12, each 0 never to 5 very strongly; 0-35)
+ pain course pattern (paindetect_4: option 1 persistent with slight fluctuations 0, option 2
persistent with pain attacks -1, options 3 and 4 attacks without / with pain between them +1)
+ radiating pain (paindetect_5: yes +2). Range -1 to 38. The three pain-intensity ratings
(paindetect_1..3) are not part of the score.
Classification: <= 12 a neuropathic component is unlikely, 13-18 ambiguous (possible),
>= 19 likely.

Missing data: the form gives no proration, so the score needs every scored item.
"""

from typing import Any

from ._common import band, bounded, bounded_values, total_or_none, whole
from ._registry import Responses, Scores, scorer

SENSORY = [f"paindetect_{n}" for n in range(6, 13)]
PATTERN_POINTS = {1: 0, 2: -1, 3: 1, 4: 1}
BANDS = [(-1, "unlikely"), (13, "ambiguous"), (19, "likely")]


def _pattern(value: Any) -> float | None:
    code = bounded(value, 1, 4, integer=True)
    return None if code is None else float(PATTERN_POINTS[int(code)])


def _radiating(value: Any) -> float | None:
    answer = bounded(value, 0, 1, integer=True)
    return None if answer is None else 2.0 * answer


@scorer("paindetect")
def score_paindetect(responses: Responses) -> Scores:
    parts = bounded_values(responses, SENSORY, 0, 5) + [
        _pattern(responses.get("paindetect_4")),
        _radiating(responses.get("paindetect_5")),
    ]
    total = total_or_none(parts)
    return {"total": whole(total), "band": band(total, BANDS)}
