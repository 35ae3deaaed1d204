"""Reversal-learning task: accuracy = correct / trials x 100."""

import pytest

from instruments.scoring import score


@pytest.mark.parametrize(
    "trials, correct, accuracy",
    [(100, 80, 80), (3, 2, 66.7), (50, 0, 0), (50, 50, 100), (0, 0, None), (50, 51, None), (None, 40, None)],
)
def test_cogflex_accuracy_is_percent_correct(trials, correct, accuracy):
    assert score("cogflex", {"cogflex_trials": trials, "cogflex_correct": correct}) == {"accuracy": accuracy}
