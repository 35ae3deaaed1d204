import pytest

from instruments.scoring import score


def answers(values):
    return {f"hama_{n}": v for n, v in enumerate(values, start=1) if v is not None}


def answers_summing_to(total):
    values = []
    for _ in range(14):
        step = min(4, total)
        values.append(step)
        total -= step
    return answers(values)


def test_it_splits_psychic_and_somatic_anxiety_for_a_typical_rating():
    result = score("hama", answers([2, 2, 1, 3, 1, 2, 1, 1, 0, 0, 1, 0, 1, 2]))
    assert result == {"total": 17, "psychic": 13, "somatic": 4, "band": "mild"}


@pytest.mark.parametrize("value, total, half", [(0, 0, 0), (4, 56, 28)])
def test_it_scores_the_ends_of_the_scale(value, total, half):
    result = score("hama", answers([value] * 14))
    assert (result["total"], result["psychic"], result["somatic"]) == (total, half, half)


@pytest.mark.parametrize(
    "total, band",
    [
        (17, "mild"),
        (18, "mild_to_moderate"),
        (24, "mild_to_moderate"),
        (25, "moderate_to_severe"),
        (30, "moderate_to_severe"),
        (31, "severe"),
    ],
)
def test_it_bands_by_the_lbpb_protocol_ranges(total, band):
    assert score("hama", answers_summing_to(total))["band"] == band


def test_a_missing_somatic_item_leaves_psychic_scored():
    result = score("hama", answers([2, 2, 1, 3, 1, 2, 1, None, 0, 0, 1, 0, 1, 2]))
    assert result == {"total": None, "psychic": 13, "somatic": None, "band": None}


def test_it_treats_a_rating_of_5_as_missing():
    assert score("hama", answers([5] + [1] * 13))["total"] is None
