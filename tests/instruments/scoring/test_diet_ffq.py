"""Food-frequency diversity: core food groups (of 11) eaten at least weekly (code >= 2)."""

import pytest

from instruments.scoring import score

CORE = [
    "fruits",
    "vegetables",
    "whole_grains",
    "refined_grains",
    "dairy",
    "red_meat",
    "poultry",
    "fish",
    "eggs",
    "legumes",
    "nuts",
]
OTHER = ["processed", "sugary_drinks", "fried", "pickled", "tea", "coffee"]


def responses(core, other=6):
    values = {f"diet_ffq_{group}": code for group, code in zip(CORE, core, strict=True)}
    values.update({f"diet_ffq_{group}": other for group in OTHER})
    return values


@pytest.mark.parametrize(
    "core, diversity",
    [
        ([5, 6, 1, 6, 2, 3, 1, 1, 4, 2, 0], 7),  # typical: 7 groups have code >= 2
        ([0] * 11, 0),  # all minimum
        ([6] * 11, 11),  # all maximum
        ([1] * 11, 0),  # 1-3 times a month is not weekly
        ([2] * 11, 11),  # 1-2 times a week is weekly
    ],
)
def test_it_counts_core_groups_eaten_at_least_weekly(core, diversity):
    assert score("diet_ffq", responses(core))["diversity"] == diversity


def test_it_does_not_count_discretionary_foods_and_drinks():
    assert score("diet_ffq", responses([0] * 11, other=6))["diversity"] == 0


def test_it_still_scores_when_a_discretionary_item_is_missing():
    values = responses([2] * 11)
    del values["diet_ffq_coffee"]
    assert score("diet_ffq", values)["diversity"] == 11


@pytest.mark.parametrize("bad", [None, 7, -1, "often"])
def test_it_gives_no_diversity_when_a_core_group_is_missing_or_out_of_range(bad):
    values = responses([2] * 11)
    values["diet_ffq_nuts"] = bad
    assert score("diet_ffq", values)["diversity"] is None
