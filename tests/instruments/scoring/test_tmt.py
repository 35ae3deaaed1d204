"""Trail Making Test: B-A and B/A (Reitan 1958; Sanchez-Cubillo 2009)."""

import pytest

from instruments.scoring import score


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (30, 75, {"b_minus_a": 45, "b_over_a": 2.5}),  # typical
        (35, 80, {"b_minus_a": 45, "b_over_a": 2.29}),  # 2.2857 -> 2.29
        (40.5, 101.3, {"b_minus_a": 60.8, "b_over_a": 2.5}),  # 2.5012 -> 2.5
        (50, 40, {"b_minus_a": -10, "b_over_a": 0.8}),  # B faster than A is possible
        (1, 600, {"b_minus_a": 599, "b_over_a": 600}),  # extremes of the allowed range
        (None, 75, {"b_minus_a": None, "b_over_a": None}),
        (0, 75, {"b_minus_a": None, "b_over_a": None}),  # zero time is not a valid time
        (30, 601, {"b_minus_a": None, "b_over_a": None}),
    ],
)
def test_tmt_gives_b_minus_a_and_b_over_a(a, b, expected):
    assert score("tmt", {"tmt_a_time": a, "tmt_b_time": b}) == expected
