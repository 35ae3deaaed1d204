"""The pure allocation list generator."""

from collections import Counter

import pytest

from randomisation.lists import generate_allocation_list

ARMS = {"high": 1, "mid": 1, "low": 1, "placebo": 1}


def _blocks(slots):
    blocks = {}
    for slot in slots:
        blocks.setdefault((slot.stratum, slot.block), []).append(slot)
    return blocks


def test_the_same_seed_gives_the_same_list_and_another_seed_another():
    first = generate_allocation_list(seed=42, arms=ARMS, size=100)
    assert first == generate_allocation_list(seed=42, arms=ARMS, size=100)
    assert [s.arm for s in first] != [s.arm for s in generate_allocation_list(seed=43, arms=ARMS, size=100)]


def test_numbers_run_from_001_to_100_in_order():
    slots = generate_allocation_list(seed=1, arms=ARMS, size=100)
    assert [s.number for s in slots] == [f"{n:03d}" for n in range(1, 101)]
    assert [s.sequence for s in slots] == list(range(1, 101))
    assert {s.stratum for s in slots} == {""}


def test_numbers_widen_beyond_999():
    slots = generate_allocation_list(seed=1, arms=ARMS, size=1200)
    assert slots[0].number == "0001" and slots[-1].number == "1200"


def test_every_complete_block_is_balanced_to_the_ratio():
    arms = {"a": 2, "b": 1}
    slots = generate_allocation_list(seed=7, arms=arms, size=300)
    blocks = _blocks(slots)
    complete = [b for b in blocks.values() if len(b) == b[0].block_size]
    assert len(complete) >= len(blocks) - 1
    for block in complete:
        multiplier = block[0].block_size // 3
        assert block[0].block_size in (3, 6, 9)
        assert Counter(s.arm for s in block) == {"a": 2 * multiplier, "b": multiplier}


def test_block_sizes_vary_and_come_from_the_multipliers():
    slots = generate_allocation_list(seed=3, arms=ARMS, size=200)
    sizes = {s.block_size for s in slots}
    assert sizes <= {4, 8, 12}
    assert len(sizes) > 1
    only_ones = generate_allocation_list(seed=3, arms=ARMS, size=200, block_multipliers=(1,))
    assert {s.block_size for s in only_ones} == {4}


def test_a_full_list_of_whole_blocks_is_exactly_1_to_1_to_1_to_1():
    slots = generate_allocation_list(seed=5, arms=ARMS, size=96, block_multipliers=(2, 4))  # blocks of 8 or 16
    assert Counter(s.arm for s in slots) == {"high": 24, "mid": 24, "low": 24, "placebo": 24}


def test_stratified_lists_are_independent_per_stratum():
    both = generate_allocation_list(seed=9, arms=ARMS, size=20, strata=["site=01", "site=02"])
    alone = generate_allocation_list(seed=9, arms=ARMS, size=20, strata=["site=02"])
    first = [s for s in both if s.stratum == "site=01"]
    second = [s for s in both if s.stratum == "site=02"]
    assert len(first) == len(second) == 20
    assert [s.arm for s in second] == [s.arm for s in alone]
    assert [s.arm for s in first] != [s.arm for s in second]
    assert [s.number for s in both] == [f"{n:03d}" for n in range(1, 41)]
    assert [s.sequence for s in second] == list(range(1, 21))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"arms": {}},
        {"arms": {"a": 0}},
        {"size": 0},
        {"block_multipliers": ()},
        {"strata": ["x", "x"]},
    ],
)
def test_it_refuses_nonsense(kwargs):
    values = {"seed": 1, "arms": ARMS, "size": 10} | kwargs
    with pytest.raises(ValueError):
        generate_allocation_list(**values)


def test_group_letters_are_a_reproducible_permutation_of_the_arms():
    from randomisation.lists import group_labels

    arms = list(ARMS)
    labels = group_labels(seed=11, arms=arms)
    assert sorted(labels) == sorted(arms) and sorted(labels.values()) == ["A", "B", "C", "D"]
    assert labels == group_labels(seed=11, arms=arms)
    assert len({tuple(group_labels(seed=s, arms=arms).values()) for s in range(20)}) > 1
