"""Colour-word Stroop task: interference effect on reaction time.

Interference = mean RT on incongruent trials - mean RT on congruent trials, in ms
(Stroop JR. J Exp Psychol. 1935;18:643-662; MacLeod CM. Psychol Bull. 1991;109:163-203).
"""

from __future__ import annotations

from typing import Any

from ._common import difference, number_in, rounded
from ._registry import Responses, scorer

MAX_MS = 5000


@scorer("stroop")
def score_stroop(responses: Responses) -> dict[str, Any]:
    congruent = number_in(responses.get("stroop_congruent_rt"), 100, MAX_MS)
    incongruent = number_in(responses.get("stroop_incongruent_rt"), 100, MAX_MS)
    return {"interference": rounded(difference(incongruent, congruent), 1)}
