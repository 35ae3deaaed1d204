"""Mnemonic Similarity Task: LDI and REC (Stark et al. 2013)."""

import pytest

from instruments.scoring import score


@pytest.mark.parametrize(
    "values, expected",
    [
        # LDI 0.55 - 0.12 = 0.43; REC 0.85 - 0.10 = 0.75
        (
            {"mst_lure_similar": 0.55, "mst_foil_similar": 0.12, "mst_target_old": 0.85, "mst_foil_old": 0.10},
            {"ldi": 0.43, "rec": 0.75},
        ),
        ({"mst_lure_similar": 0, "mst_foil_similar": 0, "mst_target_old": 0, "mst_foil_old": 0}, {"ldi": 0, "rec": 0}),
        ({"mst_lure_similar": 1, "mst_foil_similar": 0, "mst_target_old": 1, "mst_foil_old": 0}, {"ldi": 1, "rec": 1}),
        (
            {"mst_lure_similar": 0.1, "mst_foil_similar": 0.3, "mst_target_old": 0.85, "mst_foil_old": None},
            {"ldi": -0.2, "rec": None},
        ),
        (
            {"mst_lure_similar": 1.2, "mst_foil_similar": 0.3, "mst_target_old": 0.85, "mst_foil_old": 0.1},
            {"ldi": None, "rec": 0.75},
        ),  # a proportion above 1 is missing
    ],
)
def test_mst_gives_lure_discrimination_and_recognition(values, expected):
    assert score("mst", values) == expected
