import pytest

from instruments.scoring import score


def answers(values):
    return {f"pseq_{n}": v for n, v in enumerate(values, start=1)}


@pytest.mark.parametrize(
    "values, total",
    [
        ([6, 5, 4, 3, 2, 1, 0, 6, 5, 4], 36),
        ([0] * 10, 0),
        ([6] * 10, 60),
        ([3] * 10, 30),
    ],
)
def test_it_sums_the_ten_confidence_ratings(values, total):
    assert score("pseq", answers(values)) == {"total": total}


@pytest.mark.parametrize("bad", [None, 7, -1, "six"])
def test_it_returns_none_when_any_item_is_missing_or_out_of_range(bad):
    values = [6, 5, 4, 3, 2, 1, 0, 6, 5, bad]
    assert score("pseq", answers(values)) == {"total": None}


def test_it_scores_from_string_codes_as_stored_by_forms():
    assert score("pseq", answers(["2"] * 10)) == {"total": 20}
