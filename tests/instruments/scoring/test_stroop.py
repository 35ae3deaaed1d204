"""Stroop interference: incongruent minus congruent mean RT (MacLeod 1991)."""

import pytest

from instruments.scoring import score


@pytest.mark.parametrize(
    "congruent, incongruent, interference",
    [
        (650, 780, 130),
        (650.5, 780.25, 129.8),  # 129.75 rounds half up
        (700, 690, -10),
        (None, 780, None),
        (50, 780, None),  # faster than 100 ms is not a valid mean RT
    ],
)
def test_stroop_interference_is_incongruent_minus_congruent(congruent, incongruent, interference):
    values = {"stroop_congruent_rt": congruent, "stroop_incongruent_rt": incongruent}
    assert score("stroop", values) == {"interference": interference}
