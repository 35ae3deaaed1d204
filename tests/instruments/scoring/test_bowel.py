"""Bristol stool type -> category: 1-2 constipation, 3-5 normal, 6-7 diarrhoea (Rome IV grouping)."""

import pytest

from instruments.scoring import score


@pytest.mark.parametrize(
    "stool_type, category",
    [
        (1, "constipation"),  # minimum
        (2, "constipation"),
        (3, "normal"),  # boundary: type 3 is normal in Rome IV
        (4, "normal"),  # typical
        (5, "normal"),
        (6, "diarrhoea"),
        (7, "diarrhoea"),  # maximum
        (None, None),
        (0, None),  # out of range counts as missing
        (8, None),
        (2.5, None),
        ("4", "normal"),  # a numeric string from an import still scores
    ],
)
def test_it_groups_bristol_types(stool_type, category):
    assert score("bowel", {"bowel_bristol": stool_type})["bristol_category"] == category


def test_it_scores_a_form_without_the_stool_type_as_none():
    assert score("bowel", {"bowel_frequency": 3}) == {"bristol_category": None}
