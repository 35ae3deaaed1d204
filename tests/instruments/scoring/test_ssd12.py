import pytest

from instruments.scoring import score


def answers(values):
    return {f"ssd12_{n}": v for n, v in enumerate(values, start=1)}


@pytest.mark.parametrize(
    "values, expected",
    [
        # cognitive 1,4,7,10 = 4+1+3+0; affective 2,5,8,11 = 3+0+2+4; behavioral 3,6,9,12 = 2+4+1+3
        (
            [4, 3, 2, 1, 0, 4, 3, 2, 1, 0, 4, 3],
            {"total": 27, "cognitive": 8, "affective": 9, "behavioral": 10},
        ),
        ([0] * 12, {"total": 0, "cognitive": 0, "affective": 0, "behavioral": 0}),
        ([4] * 12, {"total": 48, "cognitive": 16, "affective": 16, "behavioral": 16}),
    ],
)
def test_it_sums_items_in_the_rotating_subscale_order(values, expected):
    assert score("ssd12", answers(values)) == expected


def test_it_keeps_complete_subscales_when_a_behavioral_item_is_missing():
    values = [4, 3, 2, 1, 0, 4, 3, 2, 1, 0, 4, None]
    assert score("ssd12", answers(values)) == {
        "total": None,
        "cognitive": 8,
        "affective": 9,
        "behavioral": None,
    }


def test_it_treats_an_out_of_range_answer_as_missing():
    values = [5, 3, 2, 1, 0, 4, 3, 2, 1, 0, 4, 3]
    assert score("ssd12", answers(values)) == {
        "total": None,
        "cognitive": None,
        "affective": 9,
        "behavioral": 10,
    }
