import pytest

from instruments.scoring import score


def answers(values):
    return {f"joa_{n}": v for n, v in enumerate(values, start=1) if v is not None}


def test_it_scores_a_typical_examination():
    result = score("joa", answers([2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1, 1, 2, 0]))
    assert result == {"total": 19, "subjective": 5, "clinical_signs": 4, "adl": 10, "bladder": 0}


def test_the_best_score_is_29():
    result = score("joa", answers([3, 3, 3, 2, 2, 2] + [2] * 7 + [0]))
    assert result == {"total": 29, "subjective": 9, "clinical_signs": 6, "adl": 14, "bladder": 0}


def test_the_worst_score_is_minus_6():
    result = score("joa", answers([0] * 13 + [-6]))
    assert result == {"total": -6, "subjective": 0, "clinical_signs": 0, "adl": 0, "bladder": -6}


def test_mild_dysuria_subtracts_3():
    assert score("joa", answers([3, 3, 3, 2, 2, 2] + [2] * 7 + [-3]))["total"] == 26


@pytest.mark.parametrize("bladder", [-2, 1, -7, None])
def test_a_bladder_code_other_than_0_minus_3_minus_6_is_missing(bladder):
    result = score("joa", answers([3, 3, 3, 2, 2, 2] + [2] * 7 + [bladder]))
    assert result["bladder"] is None
    assert result["total"] is None


def test_a_missing_adl_item_blanks_adl_and_total_but_not_other_parts():
    result = score("joa", answers([2, 1, 2, 1, 2, 1, 2, None, 2, 1, 1, 1, 2, 0]))
    assert result == {"total": None, "subjective": 5, "clinical_signs": 4, "adl": None, "bladder": 0}


@pytest.mark.parametrize("item, value", [("joa_1", 4), ("joa_4", 3), ("joa_7", 3)])
def test_it_treats_out_of_range_points_as_missing(item, value):
    responses = answers([2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1, 1, 2, 0]) | {item: value}
    assert score("joa", responses)["total"] is None
