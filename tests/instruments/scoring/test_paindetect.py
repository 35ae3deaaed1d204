import pytest

from instruments.scoring import score

PERSISTENT, WITH_ATTACKS, ATTACKS_ONLY, ATTACKS_WITH_PAIN = 1, 2, 3, 4


def answers(sensory, pattern, radiating):
    responses = {f"paindetect_{n}": v for n, v in enumerate(sensory, start=6)}
    responses.update({"paindetect_4": pattern, "paindetect_5": radiating})
    return responses


@pytest.mark.parametrize(
    "sensory, pattern, radiating, total, band",
    [
        ([3, 2, 1, 4, 0, 2, 3], PERSISTENT, 1, 17, "ambiguous"),  # 15 + 0 + 2
        ([0] * 7, WITH_ATTACKS, 0, -1, "unlikely"),  # lowest possible score
        ([5] * 7, ATTACKS_ONLY, 1, 38, "likely"),  # highest possible score
        ([5] * 7, ATTACKS_WITH_PAIN, 1, 38, "likely"),
        ([2, 2, 2, 2, 2, 2, 0], PERSISTENT, 0, 12, "unlikely"),
        ([2, 2, 2, 2, 2, 2, 1], PERSISTENT, 0, 13, "ambiguous"),
        ([3, 3, 3, 3, 3, 1, 0], ATTACKS_ONLY, 0, 17, "ambiguous"),
        ([3, 3, 3, 3, 2, 2, 0], ATTACKS_ONLY, 1, 19, "likely"),  # 16 + 1 + 2
        ([3, 3, 3, 3, 3, 3, 0], WITH_ATTACKS, 1, 19, "likely"),  # 18 - 1 + 2
        ([3, 3, 3, 3, 3, 2, 0], ATTACKS_WITH_PAIN, 0, 18, "ambiguous"),
    ],
)
def test_it_adds_sensory_course_and_radiation_points(sensory, pattern, radiating, total, band):
    assert score("paindetect", answers(sensory, pattern, radiating)) == {"total": total, "band": band}


def test_it_subtracts_one_for_persistent_pain_with_attacks():
    base = score("paindetect", answers([2] * 7, PERSISTENT, 0))["total"]
    assert score("paindetect", answers([2] * 7, WITH_ATTACKS, 0))["total"] == base - 1


def test_it_ignores_the_pain_intensity_ratings():
    responses = answers([2] * 7, PERSISTENT, 0)
    assert score("paindetect", responses | {"paindetect_1": 9, "paindetect_2": 10})["total"] == 14
    assert score("paindetect", responses)["total"] == 14


@pytest.mark.parametrize(
    "key, bad", [("paindetect_4", None), ("paindetect_4", 5), ("paindetect_5", 2), ("paindetect_12", 6)]
)
def test_it_returns_none_when_a_scored_item_is_missing_or_out_of_range(key, bad):
    responses = answers([2] * 7, PERSISTENT, 1) | {key: bad}
    assert score("paindetect", responses) == {"total": None, "band": None}
