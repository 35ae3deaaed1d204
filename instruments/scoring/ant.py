"""Attention Network Test: alerting, orienting and executive (conflict) network scores.

Fan J, McCandliss BD, Sommer T, Raz A, Posner MI. Testing the efficiency and independence
of attentional networks. J Cogn Neurosci. 2002;14(3):340-347:

- alerting = RT(no cue) - RT(double cue);
- orienting = RT(centre cue) - RT(spatial cue);
- executive (conflict) = RT(incongruent flanker) - RT(congruent flanker).

Mean RTs are those of correct trials, in ms, as the task software reports them.
"""

from __future__ import annotations

from typing import Any

from ._common import difference, number_in, rounded
from ._registry import Responses, scorer

MAX_MS = 3000


def rt(responses: Responses, condition: str) -> float | None:
    return number_in(responses.get(f"ant_{condition}_rt"), 100, MAX_MS)


@scorer("ant")
def score_ant(responses: Responses) -> dict[str, Any]:
    return {
        "alerting": rounded(difference(rt(responses, "no_cue"), rt(responses, "double_cue")), 1),
        "orienting": rounded(difference(rt(responses, "center_cue"), rt(responses, "spatial_cue")), 1),
        "executive": rounded(difference(rt(responses, "incongruent"), rt(responses, "congruent")), 1),
    }
