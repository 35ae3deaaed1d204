import pytest

from instruments.scoring import score


def answers(knowledge, experience):
    values = list(knowledge) + list(experience)
    return {f"fpq_{n}": v for n, v in enumerate(values, start=1)}


@pytest.mark.parametrize(
    "knowledge, experience, expected",
    [
        (range(1, 10), [10, 0, 5, 5, 2, 3, 4], {"knowledge": 5, "experience": 4.14}),  # 45/9, 29/7
        ([0] * 9, [0] * 7, {"knowledge": 0, "experience": 0}),
        ([10] * 9, [10] * 7, {"knowledge": 10, "experience": 10}),
        ([1, 0, 0, 0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0], {"knowledge": 0.11, "experience": 0.14}),
    ],
)
def test_it_averages_each_subscale_as_circled(knowledge, experience, expected):
    assert score("fpq", answers(knowledge, experience)) == expected


def test_it_keeps_knowledge_when_an_experience_item_is_missing():
    responses = answers(range(1, 10), [10, 0, 5, 5, 2, 3, 4]) | {"fpq_10": None}
    assert score("fpq", responses) == {"knowledge": 5, "experience": None}


@pytest.mark.parametrize("bad", [11, -1, "x"])
def test_it_treats_an_out_of_range_rating_as_missing(bad):
    responses = answers(range(1, 10), [10, 0, 5, 5, 2, 3, 4]) | {"fpq_1": bad}
    assert score("fpq", responses) == {"knowledge": None, "experience": 4.14}
