import pytest

from instruments.scoring import score

MINOR = (3, 6, 7, 10, 11, 12, 16)
MODERATE = (1, 2, 4, 8, 14, 15, 17)
CONTROL = (5, 9, 13)


def typical():
    responses = dict(zip([f"psq_{n}" for n in MINOR], [2, 3, 4, 5, 6, 1, 2], strict=True))  # sum 23
    responses.update(zip([f"psq_{n}" for n in MODERATE], [7, 8, 6, 5, 9, 7, 6], strict=True))  # sum 48
    responses.update({f"psq_{n}": 10 for n in CONTROL})
    return responses


@pytest.mark.parametrize(
    "responses, expected",
    [
        # 71 / 14 = 5.071..., 23 / 7 = 3.285..., 48 / 7 = 6.857...
        (typical(), {"total": 5.07, "minor": 3.29, "moderate": 6.86}),
        ({f"psq_{n}": 0 for n in range(1, 18)}, {"total": 0, "minor": 0, "moderate": 0}),
        ({f"psq_{n}": 10 for n in range(1, 18)}, {"total": 10, "minor": 10, "moderate": 10}),
    ],
)
def test_it_averages_the_painful_items(responses, expected):
    assert score("psq", responses) == expected


def test_it_leaves_the_non_painful_control_items_out():
    without_controls = {k: v for k, v in typical().items() if int(k.split("_")[1]) not in CONTROL}
    assert score("psq", without_controls) == score("psq", typical())
    assert score("psq", typical() | {"psq_5": 0})["total"] == 5.07


def test_it_keeps_psq_moderate_when_a_minor_item_is_missing():
    responses = typical() | {"psq_3": None}
    assert score("psq", responses) == {"total": None, "minor": None, "moderate": 6.86}


@pytest.mark.parametrize("bad", [11, -1, "a"])
def test_it_treats_an_out_of_range_rating_as_missing(bad):
    assert score("psq", typical() | {"psq_17": bad}) == {"total": None, "minor": 3.29, "moderate": None}
