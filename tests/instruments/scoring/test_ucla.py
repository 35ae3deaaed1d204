import pytest

from instruments.scoring import score

POSITIVE = {1, 5, 6, 9, 10, 15, 16, 19, 20}


def answers(values):
    return {f"ucla_{n}": v for n, v in enumerate(values, start=1)}


def least_lonely():
    # "often" on every positively worded item, "never" on every negatively worded one
    return [4 if n in POSITIVE else 1 for n in range(1, 21)]


def most_lonely():
    return [1 if n in POSITIVE else 4 for n in range(1, 21)]


@pytest.mark.parametrize(
    "values, total",
    [
        (least_lonely(), 20),
        (most_lonely(), 80),
        ([1] * 20, 47),  # 9 reversed items become 4 (36) + 11 items of 1
        ([2] * 20, 49),  # 9 reversed items become 3 (27) + 11 items of 2
        ([4] * 20, 53),  # 9 reversed items become 1 (9) + 11 items of 4
    ],
)
def test_it_sums_with_the_nine_positive_items_reversed(values, total):
    assert score("ucla", answers(values)) == {"total": total}


def test_it_reverses_item_1_so_answering_never_adds_loneliness():
    values = least_lonely()
    values[0] = 1  # "never in tune with people" scores 4 instead of 1
    assert score("ucla", answers(values)) == {"total": 23}


def test_it_does_not_reverse_item_2():
    values = least_lonely()
    values[1] = 4  # "often lack companionship" scores 4 instead of 1
    assert score("ucla", answers(values)) == {"total": 23}


@pytest.mark.parametrize("bad", [None, 0, 5])
def test_it_returns_none_when_an_item_is_missing_or_out_of_range(bad):
    values = least_lonely()
    values[19] = bad
    assert score("ucla", answers(values)) == {"total": None}
