"""Imaging grades: worst Pfirrmann grade over L1/2-L5/S1, Modic change, ADMSC eligibility parts."""

import pytest

from instruments.scoring import score

LEVELS = ["l1_l2", "l2_l3", "l3_l4", "l4_l5", "l5_s1"]


def responses(pfirrmann, modic):
    values = {}
    for level, grade, change in zip(LEVELS, pfirrmann, modic, strict=True):
        values[f"imaging_grades_{level}_pfirrmann"] = grade
        values[f"imaging_grades_{level}_modic"] = change
    return values


@pytest.mark.parametrize(
    "pfirrmann, modic, expected",
    [
        # typical discogenic case: L4/5 grade 4 with Modic I
        ([2, 2, 3, 4, 3], [0, 0, 0, 1, 0], (4, 1, 1, 1)),
        ([1] * 5, [0] * 5, (1, 0, 0, 0)),  # all minimum
        ([5] * 5, [3] * 5, (5, 1, 0, 1)),  # all maximum: Modic III is a change but not type I or II
        ([2, 2, 2, 3, 2], [0, 0, 0, 2, 0], (3, 1, 1, 1)),  # L4/5 grade 3: lowest eligible grade
        ([2, 2, 2, 2, 4], [0, 0, 0, 0, 0], (4, 0, 0, 0)),  # L4/5 grade 2: not eligible
        # missing levels: a grade V or a Modic change settles it; otherwise unknown
        ([5, None, 3, 4, 3], [2, None, 0, 0, 0], (5, 1, 1, 1)),
        ([2, None, 3, 4, 3], [0, None, 0, 0, 0], (None, None, None, 1)),
        ([2, 2, 3, None, 3], [0, 0, 0, 0, 0], (None, 0, 0, None)),
        ([2, 2, 3, 4, 6], [0, 0, 0, 0, 4], (None, None, None, 1)),  # out of range counts as missing
        ([None] * 5, [None] * 5, (None, None, None, None)),
    ],
)
def test_it_derives_worst_pfirrmann_and_modic_presence(pfirrmann, modic, expected):
    result = score("imaging_grades", responses(pfirrmann, modic))
    names = ["worst_pfirrmann", "any_modic", "any_modic_1_or_2", "l4_l5_pfirrmann_3_to_5"]
    assert tuple(result[name] for name in names) == expected
