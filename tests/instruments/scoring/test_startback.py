import pytest

from instruments.scoring import score


def answers(agree, bother=0):
    """``agree``: the item numbers (1-8) answered "agree"; ``bother``: item 9 option code 0-4."""
    responses = {f"startback_{n}": int(n in agree) for n in range(1, 9)}
    responses["startback_9"] = bother
    return responses


@pytest.mark.parametrize(
    "agree, bother, expected",
    [
        ({1, 2, 3, 4, 5, 7}, 2, {"total": 6, "psychosocial": 2, "band": "medium"}),
        (set(), 0, {"total": 0, "psychosocial": 0, "band": "low"}),
        (set(range(1, 9)), 4, {"total": 9, "psychosocial": 5, "band": "high"}),
        # total 3 is the top of "low" even with psychosocial answers
        ({5, 6, 7}, 0, {"total": 3, "psychosocial": 3, "band": "low"}),
        # total 4 with psychosocial 3 is "medium"
        ({1, 5, 6, 7}, 0, {"total": 4, "psychosocial": 3, "band": "medium"}),
        # psychosocial 4 is "high"
        ({5, 6, 7, 8}, 0, {"total": 4, "psychosocial": 4, "band": "high"}),
        ({1, 2, 3, 4, 5, 6}, 2, {"total": 6, "psychosocial": 2, "band": "medium"}),
    ],
)
def test_it_sums_items_and_allocates_the_risk_group(agree, bother, expected):
    assert score("startback", answers(agree, bother)) == expected


@pytest.mark.parametrize("bother, points", [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1)])
def test_it_counts_bothersomeness_only_when_very_much_or_extremely(bother, points):
    assert score("startback", answers(set(), bother))["total"] == points


def test_it_keeps_the_psychosocial_score_when_a_physical_item_is_missing():
    responses = answers({5, 6, 7, 8}) | {"startback_1": None}
    assert score("startback", responses) == {"total": None, "psychosocial": 4, "band": None}


@pytest.mark.parametrize("item, bad", [("startback_9", 5), ("startback_6", 2), ("startback_6", None)])
def test_it_returns_none_when_a_psychosocial_item_is_missing_or_out_of_range(item, bad):
    responses = answers({5, 6, 7, 8}) | {item: bad}
    assert score("startback", responses) == {"total": None, "psychosocial": None, "band": None}
