import pytest

from instruments.scoring import score


def answers_summing_to(total):
    """Seven answers (0-3) adding up to ``total``: threes first, then the remainder."""
    values = []
    for _ in range(7):
        step = min(3, total)
        values.append(step)
        total -= step
    return {f"gad7_{n}": v for n, v in enumerate(values, start=1)}


@pytest.mark.parametrize(
    "total, band",
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_it_sums_items_and_bands_by_spitzer_2006(total, band):
    assert score("gad7", answers_summing_to(total)) == {"total": total, "band": band}


def test_it_scores_a_typical_profile_and_ignores_item_8():
    values = [2, 1, 2, 1, 0, 1, 1]
    responses = {f"gad7_{n}": v for n, v in enumerate(values, start=1)} | {"gad7_8": 2}
    assert score("gad7", responses) == {"total": 8, "band": "mild"}


@pytest.mark.parametrize("bad", [None, 4, -1])
def test_it_returns_none_when_an_item_is_missing_or_out_of_range(bad):
    responses = answers_summing_to(8) | {"gad7_7": bad}
    assert score("gad7", responses) == {"total": None, "band": None}


def test_it_returns_none_when_the_item_is_absent():
    responses = answers_summing_to(8)
    del responses["gad7_1"]
    assert score("gad7", responses)["total"] is None
