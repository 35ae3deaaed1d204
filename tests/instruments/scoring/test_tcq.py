import pytest

from instruments.scoring import score

SUBSCALES = {
    "distraction": (1, 9, 16, 19, 21, 30),
    "social_control": (5, 8, 12, 17, 25, 29),
    "worry": (4, 7, 18, 22, 24, 26),
    "punishment": (2, 6, 11, 13, 15, 28),
    "reappraisal": (3, 10, 14, 20, 23, 27),
}


def uniform(value):
    return {f"tcq_{n}": value for n in range(1, 31)}


def typical():
    by_item = {}
    by_item.update({n: 3 for n in SUBSCALES["distraction"]})
    by_item.update({5: 1, 8: 1, 12: 1, 17: 4, 25: 4, 29: 4})
    by_item.update({n: 2 for n in SUBSCALES["worry"]})
    by_item.update({n: 1 for n in SUBSCALES["punishment"]})
    by_item.update({n: 4 for n in SUBSCALES["reappraisal"]})
    return {f"tcq_{n}": v for n, v in by_item.items()}


@pytest.mark.parametrize(
    "responses, expected",
    [
        (
            typical(),
            {
                "total": 84,
                "distraction": 18,
                "social_control": 24,
                "worry": 12,
                "punishment": 6,
                "reappraisal": 24,
            },
        ),
        # all "never": items 5, 8, 12 reverse to 4, so social control is 3*4 + 3*1
        (
            uniform(1),
            {
                "total": 39,
                "distraction": 6,
                "social_control": 15,
                "worry": 6,
                "punishment": 6,
                "reappraisal": 6,
            },
        ),
        # all "almost always": items 5, 8, 12 reverse to 1
        (
            uniform(4),
            {
                "total": 111,
                "distraction": 24,
                "social_control": 15,
                "worry": 24,
                "punishment": 24,
                "reappraisal": 24,
            },
        ),
    ],
)
def test_it_scores_five_subscales_and_total(responses, expected):
    assert score("tcq", responses) == expected


def test_it_reverses_keeping_the_thought_to_oneself():
    responses = typical() | {"tcq_8": 4}  # keyed 1 instead of 4
    assert score("tcq", responses)["social_control"] == 21


def test_it_still_scores_complete_subscales_when_one_item_is_missing():
    responses = typical()
    del responses["tcq_7"]
    result = score("tcq", responses)
    assert result["worry"] is None
    assert result["total"] is None
    assert result["distraction"] == 18
    assert result["reappraisal"] == 24


def test_it_treats_an_out_of_range_answer_as_missing():
    result = score("tcq", typical() | {"tcq_1": 5})
    assert result["distraction"] is None
    assert result["total"] is None
