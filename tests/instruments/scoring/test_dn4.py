import pytest

from instruments.scoring import score


def answers(yes):
    return {f"dn4_{n}": int(n in yes) for n in range(1, 11)}


@pytest.mark.parametrize(
    "yes, expected",
    [
        (set(), {"total": 0, "band": "not_neuropathic", "interview": 0, "interview_band": "not_neuropathic"}),
        (
            set(range(1, 11)),
            {"total": 10, "band": "neuropathic", "interview": 7, "interview_band": "neuropathic"},
        ),
        # total 3 / 4 is the DN4 boundary; interview 2 / 3 the DN4-interview boundary
        (
            {1, 2, 8},
            {"total": 3, "band": "not_neuropathic", "interview": 2, "interview_band": "not_neuropathic"},
        ),
        (
            {1, 2, 8, 9},
            {"total": 4, "band": "neuropathic", "interview": 2, "interview_band": "not_neuropathic"},
        ),
        ({1, 4, 6}, {"total": 3, "band": "not_neuropathic", "interview": 3, "interview_band": "neuropathic"}),
        ({1, 3, 5, 10}, {"total": 4, "band": "neuropathic", "interview": 3, "interview_band": "neuropathic"}),
    ],
)
def test_it_counts_yes_answers_against_both_cut_offs(yes, expected):
    assert score("dn4", answers(yes)) == expected


def test_it_scores_the_interview_when_the_examination_is_not_done():
    responses = {f"dn4_{n}": 1 for n in (1, 2, 3)} | {f"dn4_{n}": 0 for n in (4, 5, 6, 7)}
    assert score("dn4", responses) == {
        "total": None,
        "band": None,
        "interview": 3,
        "interview_band": "neuropathic",
    }


@pytest.mark.parametrize("bad", [None, 2, -1, "yes"])
def test_it_returns_none_when_an_interview_item_is_missing_or_out_of_range(bad):
    responses = answers({1, 2, 3, 4}) | {"dn4_7": bad}
    assert score("dn4", responses) == {"total": None, "band": None, "interview": None, "interview_band": None}
