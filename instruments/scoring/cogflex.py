"""Cognitive flexibility (probabilistic/deterministic reversal learning) task: accuracy.

Accuracy = correct trials / trials completed x 100, to one decimal, the usual summary of
reversal-learning tasks (e.g. Izquierdo A et al. Neuropsychopharmacology.
2017;42:1-27). No accuracy when no trial was completed or correct exceeds trials.
"""

from __future__ import annotations

from typing import Any

from ._common import number_in, rounded
from ._registry import Responses, scorer

MAX_TRIALS = 2000


@scorer("cogflex")
def score_cogflex(responses: Responses) -> dict[str, Any]:
    trials = number_in(responses.get("cogflex_trials"), 1, MAX_TRIALS)
    correct = number_in(responses.get("cogflex_correct"), 0, MAX_TRIALS)
    if trials is None or correct is None or correct > trials:
        return {"accuracy": None}
    return {"accuracy": rounded(correct / trials * 100, 1)}
