import pytest

from instruments.scoring import score


def answers(values):
    return {f"prs_{n}": v for n, v in enumerate(values, start=1)}


@pytest.mark.parametrize(
    "values, expected",
    [
        (
            [4, 3, 2, 1] + [2] * 10,
            {"total": 30, "behavioral_perseverance": 10, "cognitive_affective_positivity": 20},
        ),
        ([0] * 14, {"total": 0, "behavioral_perseverance": 0, "cognitive_affective_positivity": 0}),
        ([4] * 14, {"total": 56, "behavioral_perseverance": 16, "cognitive_affective_positivity": 40}),
    ],
)
def test_it_sums_total_and_both_subscales(values, expected):
    assert score("prs", answers(values)) == expected


def test_it_keeps_behavioral_perseverance_when_a_positivity_item_is_missing():
    values = [4, 3, 2, 1] + [2] * 9 + [None]
    assert score("prs", answers(values)) == {
        "total": None,
        "behavioral_perseverance": 10,
        "cognitive_affective_positivity": None,
    }


@pytest.mark.parametrize("bad", [5, -1, None])
def test_it_returns_none_for_a_missing_or_out_of_range_perseverance_item(bad):
    values = [bad, 3, 2, 1] + [2] * 10
    assert score("prs", answers(values)) == {
        "total": None,
        "behavioral_perseverance": None,
        "cognitive_affective_positivity": 20,
    }
