import pytest

from instruments.scoring import score

STRONGLY_AGREE, NEUTRAL, STRONGLY_DISAGREE = 0, 3, 6


def answers(cohesion, expressiveness, conflict):
    """One code for each subscale's items (cohesion 1-7, expressiveness 8-10, conflict 11-16)."""
    codes = [cohesion] * 7 + [expressiveness] * 3 + [conflict] * 6
    return {f"bfrs_{n}": c for n, c in enumerate(codes, start=1)}


@pytest.mark.parametrize(
    "codes, expected",
    [
        # healthiest family: agree with every cohesion/expressiveness item, disagree with every conflict item
        (
            (STRONGLY_AGREE, STRONGLY_AGREE, STRONGLY_DISAGREE),
            {"total": 96, "cohesion": 42, "expressiveness": 18, "conflict": 0},
        ),
        # least healthy family
        (
            (STRONGLY_DISAGREE, STRONGLY_DISAGREE, STRONGLY_AGREE),
            {"total": 0, "cohesion": 0, "expressiveness": 0, "conflict": 36},
        ),
        # agree with everything: conflict 36 counts as 0 in the total
        (
            (STRONGLY_AGREE, STRONGLY_AGREE, STRONGLY_AGREE),
            {"total": 60, "cohesion": 42, "expressiveness": 18, "conflict": 36},
        ),
        ((NEUTRAL, NEUTRAL, NEUTRAL), {"total": 48, "cohesion": 21, "expressiveness": 9, "conflict": 18}),
        ((1, 2, 5), {"total": 77, "cohesion": 35, "expressiveness": 12, "conflict": 6}),
    ],
)
def test_it_turns_codes_into_agreement_and_reverses_conflict_in_the_total(codes, expected):
    assert score("bfrs", answers(*codes)) == expected


def test_it_keeps_cohesion_and_expressiveness_when_a_conflict_item_is_missing():
    responses = answers(1, 2, 5) | {"bfrs_16": None}
    assert score("bfrs", responses) == {"total": None, "cohesion": 35, "expressiveness": 12, "conflict": None}


@pytest.mark.parametrize("bad", [7, -1, "agree"])
def test_it_treats_an_out_of_range_code_as_missing(bad):
    responses = answers(1, 2, 5) | {"bfrs_1": bad}
    assert score("bfrs", responses) == {"total": None, "cohesion": None, "expressiveness": 12, "conflict": 6}
