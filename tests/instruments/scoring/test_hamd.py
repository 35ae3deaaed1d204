import pytest

from instruments.scoring import score

MAXIMUM = {n: 4 for n in (1, 2, 3, 7, 8, 9, 10, 11, 15, 19)}
MAXIMUM.update({n: 2 for n in (4, 5, 6, 12, 13, 14, 16, 17, 18, 21)})
MAXIMUM[20] = 3


def answers_summing_to(total_17, extra=0):
    """The first 17 items adding up to ``total_17`` (highest first), items 18-21 adding to ``extra``."""
    responses = {}
    for number in range(1, 18):
        step = min(MAXIMUM[number], total_17)
        responses[f"hamd_{number}"] = step
        total_17 -= step
    for number in range(18, 22):
        step = min(MAXIMUM[number], extra)
        responses[f"hamd_{number}"] = step
        extra -= step
    return responses


def test_it_scores_a_typical_rating():
    values = [2, 1, 0, 2, 1, 1, 2, 1, 1, 2, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0]
    responses = {f"hamd_{n}": v for n, v in enumerate(values, start=1)}
    assert score("hamd", responses) == {"total": 18, "total_17": 17, "band": "moderate"}


def test_all_zero_is_no_depression():
    assert score("hamd", answers_summing_to(0)) == {"total": 0, "total_17": 0, "band": "none"}


def test_every_item_at_its_maximum_gives_52_and_63():
    responses = {f"hamd_{n}": top for n, top in MAXIMUM.items()}
    assert score("hamd", responses) == {"total": 63, "total_17": 52, "band": "severe"}


@pytest.mark.parametrize(
    "total_17, band",
    [(7, "none"), (8, "mild"), (16, "mild"), (17, "moderate"), (23, "moderate"), (24, "severe")],
)
def test_it_bands_the_17_item_total_by_zimmerman_2013(total_17, band):
    result = score("hamd", answers_summing_to(total_17, extra=3))
    assert result == {"total": total_17 + 3, "total_17": total_17, "band": band}


@pytest.mark.parametrize("item, value", [("hamd_4", 3), ("hamd_17", 3), ("hamd_20", 4), ("hamd_1", 5)])
def test_it_treats_a_rating_above_the_items_own_range_as_missing(item, value):
    responses = answers_summing_to(10) | {item: value}
    assert score("hamd", responses)["total"] is None


def test_item_20_may_be_rated_3():
    assert score("hamd", answers_summing_to(10) | {"hamd_20": 3})["total"] == 13


def test_a_missing_item_19_still_gives_the_17_item_total_and_band():
    responses = answers_summing_to(12)
    del responses["hamd_19"]
    assert score("hamd", responses) == {"total": None, "total_17": 12, "band": "mild"}
