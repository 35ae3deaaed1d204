"""The pure allocation list generator."""

from collections import Counter

import pytest

from randomisation.lists import SEED_BITS, draw_seed, generate_allocation_list, group_labels, list_sha256, seed_text

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


# Seeds and the list's fingerprint ------------------------------------------------------------------------------


def test_a_drawn_seed_has_128_bits():
    seeds = [draw_seed() for _ in range(64)]
    assert SEED_BITS == 128 and all(0 <= seed < 2**128 for seed in seeds)
    assert max(seed.bit_length() for seed in seeds) == 128  # the top bit is set in half the draws (odds 2**-64)
    assert len(set(seeds)) == 64


def test_a_seed_of_31_bits_keeps_giving_the_list_it_gave_before_seeds_grew():
    # Pinned from the generator as it was when seeds were 31-bit integers: stored lists must still reproduce.
    slots = generate_allocation_list(
        seed=20220404, arms=dict.fromkeys("ABCD", 1), size=12, strata=["site=01", "site=02"]
    )
    assert "".join(s.arm for s in slots) == "DCBDCAAACBBDBDDCACBDBAAC"
    assert group_labels(seed=20220404, arms=list("ABCD")) == {"A": "D", "B": "B", "C": "A", "D": "C"}
    assert list_sha256(slots) == "eaabcf0ffee0f328aded1e6b99c37b24cbe9fe1dfc12dba2969e23200c146ab5"


def test_a_large_seed_works_and_its_text_gives_the_same_list():
    seed = 2**127 + 12345
    from_int = generate_allocation_list(seed=seed, arms=ARMS, size=40)
    assert from_int == generate_allocation_list(seed=str(seed), arms=ARMS, size=40)
    assert from_int != generate_allocation_list(seed=seed + 1, arms=ARMS, size=40)
    assert seed_text(" 007 ") == "7"
    for bad in ("-1", "1e9", "", "١٢", True):
        with pytest.raises(ValueError):
            seed_text(bad)


def test_the_list_hash_covers_numbers_strata_and_arms_in_number_order():
    slots = generate_allocation_list(seed=1, arms=ARMS, size=8, strata=["site=01", "site=02"])
    assert list_sha256(list(reversed(slots))) == list_sha256(slots)
    changed = [slots[0].__class__(**{**slots[0].__dict__, "arm": "other"})] + slots[1:]
    assert list_sha256(changed) != list_sha256(slots)
