import pytest

from instruments.scoring import score


def answers_summing_to(total):
    """Seven answers (0-4) adding up to ``total``: fours first, then the remainder."""
    values = []
    for _ in range(7):
        step = min(4, total)
        values.append(step)
        total -= step
    return {f"isi_{n}": v for n, v in enumerate(values, start=1)}


@pytest.mark.parametrize(
    "total, band",
    [
        (0, "none"),
        (7, "none"),
        (8, "subthreshold"),
        (14, "subthreshold"),
        (15, "moderate"),
        (21, "moderate"),
        (22, "severe"),
        (28, "severe"),
    ],
)
def test_it_sums_items_and_bands_by_bastien_2001(total, band):
    assert score("isi", answers_summing_to(total)) == {"total": total, "band": band}


def test_it_scores_a_typical_profile():
    values = [3, 2, 1, 3, 2, 3, 2]
    responses = {f"isi_{n}": v for n, v in enumerate(values, start=1)}
    assert score("isi", responses) == {"total": 16, "band": "moderate"}


@pytest.mark.parametrize("bad", [None, 5, -1, 2.5])
def test_it_returns_none_when_an_item_is_missing_or_out_of_range(bad):
    responses = answers_summing_to(10) | {"isi_4": bad}
    assert score("isi", responses) == {"total": None, "band": None}
