import pytest

from instruments.scoring import score


def answers_summing_to(total):
    """25 Part A answers (0-4) that add up to ``total``: fours first, then the remainder."""
    values = []
    for _ in range(25):
        step = min(4, total)
        values.append(step)
        total -= step
    return {f"csi_{n}": v for n, v in enumerate(values, start=1)}


@pytest.mark.parametrize(
    "total, band",
    [
        (0, "subclinical"),
        (29, "subclinical"),
        (30, "mild"),
        (39, "mild"),
        (40, "moderate"),
        (49, "moderate"),
        (50, "severe"),
        (59, "severe"),
        (60, "extreme"),
        (100, "extreme"),
    ],
)
def test_it_sums_part_a_and_bands_by_neblett_levels(total, band):
    assert score("csi", answers_summing_to(total)) == {"total": total, "band": band}


def test_it_scores_a_typical_mixed_profile():
    responses = {f"csi_{n}": 3 if n <= 10 else 1 for n in range(1, 26)}  # 10*3 + 15*1
    assert score("csi", responses) == {"total": 45, "band": "moderate"}


def test_it_ignores_part_b_diagnoses_and_scores_without_them():
    responses = answers_summing_to(30) | {"csi_b1": 1, "csi_b1_year": "2019", "csi_b3": 0}
    assert score("csi", responses)["total"] == 30
    assert score("csi", answers_summing_to(30))["total"] == 30


@pytest.mark.parametrize("bad", [None, "", 5, -1, 2.5, "x"])
def test_it_returns_none_when_a_part_a_item_is_missing_or_out_of_range(bad):
    responses = answers_summing_to(40) | {"csi_25": bad}
    assert score("csi", responses) == {"total": None, "band": None}


def test_it_returns_none_when_an_item_key_is_absent():
    responses = answers_summing_to(40)
    del responses["csi_1"]
    assert score("csi", responses) == {"total": None, "band": None}
