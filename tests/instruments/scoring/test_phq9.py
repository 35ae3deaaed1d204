import pytest

from instruments.scoring import score


def answers_summing_to(total):
    """Nine answers (0-3) adding up to ``total``: threes first, then the remainder."""
    values = []
    for _ in range(9):
        step = min(3, total)
        values.append(step)
        total -= step
    return {f"phq9_{n}": v for n, v in enumerate(values, start=1)}


@pytest.mark.parametrize(
    "total, band",
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_it_sums_items_and_bands_by_kroenke_2001(total, band):
    assert score("phq9", answers_summing_to(total)) == {"total": total, "band": band}


def test_it_scores_a_typical_profile():
    values = [1, 2, 0, 3, 1, 2, 0, 1, 0]
    responses = {f"phq9_{n}": v for n, v in enumerate(values, start=1)}
    assert score("phq9", responses) == {"total": 10, "band": "moderate"}


def test_it_ignores_the_difficulty_item_10():
    responses = answers_summing_to(12) | {"phq9_10": 3}
    assert score("phq9", responses)["total"] == 12


@pytest.mark.parametrize("bad", [None, "", 4, -1, 1.5, "x"])
def test_it_returns_none_when_an_item_is_missing_or_out_of_range(bad):
    responses = answers_summing_to(12) | {"phq9_9": bad}
    assert score("phq9", responses) == {"total": None, "band": None}
