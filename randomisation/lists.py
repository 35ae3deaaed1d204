"""Concealed allocation lists: permuted blocks of random size, optionally stratified. Pure Python, no Django.

A list is reproducible from its seed: each stratum draws from its own ``random.Random`` seeded with the list
seed and the stratum key, so a stratum's sequence does not depend on which other strata exist. Block size is
a multiplier (drawn per block from ``block_multipliers``) times the sum of the ratios; each complete block holds
every arm exactly ``ratio x multiplier`` times. Randomisation numbers run across the strata in order
("001", "002", ...), as on the sealed envelopes of a paper trial (ADMSC: 001-100 in the order of enrolment).

Whoever knows the seed knows the list, so the seed is a secret as strong as the list: ``draw_seed`` gives
``SEED_BITS`` bits from the operating system (``secrets``), far beyond an offline search. A seed is a
non-negative integer of any size; it enters ``random.Random`` as its decimal text, so the integer 777 and the
string "777" give the same list (the database stores the text). ``list_sha256`` fingerprints a list so that
the unblinded statistician can prove later which list was generated (docs/randomisation.md).
"""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass

NO_STRATUM = ""
SEED_BITS = 128


@dataclass(frozen=True)
class Slot:
    number: str  # randomisation number, zero-padded ("001")
    stratum: str  # stratum key, NO_STRATUM for an unstratified list
    sequence: int  # 1-based position within the stratum
    arm: str  # arm code (concealed)
    block: int  # 1-based block index within the stratum
    block_size: int


def _check(arms: dict[str, int], size: int, block_multipliers) -> None:
    if not arms:
        raise ValueError("at least one arm is needed")
    if any(not isinstance(r, int) or r < 1 for r in arms.values()):
        raise ValueError("every ratio must be a positive integer")
    if size < 1:
        raise ValueError("the size must be at least 1")
    if not block_multipliers or any(not isinstance(m, int) or m < 1 for m in block_multipliers):
        raise ValueError("block multipliers must be positive integers")


def _stratum_sequence(rng: random.Random, arms: dict[str, int], size: int, block_multipliers):
    """(arm, block index, block size) for ``size`` positions: shuffled blocks, the last one possibly cut short."""
    out: list[tuple[str, int, int]] = []
    block = 0
    while len(out) < size:
        block += 1
        multiplier = rng.choice(list(block_multipliers))
        cards = [code for code, ratio in arms.items() for _ in range(ratio * multiplier)]
        rng.shuffle(cards)
        out.extend((arm, block, len(cards)) for arm in cards)
    return out[:size]


def draw_seed() -> int:
    """A fresh seed of ``SEED_BITS`` bits from the operating system's cryptographic generator."""
    return secrets.randbits(SEED_BITS)


def seed_text(seed: int | str) -> str:
    """The seed's canonical decimal text (what ``random.Random`` is seeded with); refuses anything else."""
    text = str(seed).strip()
    if isinstance(seed, bool) or not text.isascii() or not text.isdigit():
        raise ValueError("a seed is a non-negative integer")
    return str(int(text))


def list_sha256(slots: list[Slot]) -> str:
    """SHA-256 (hex) of the list: one line "number<TAB>stratum<TAB>arm" per slot, in number order, UTF-8.

    It names neither the seed nor the block sizes: two seeds giving the same allocations give the same hash.
    """
    lines = "".join(f"{s.number}\t{s.stratum}\t{s.arm}\n" for s in sorted(slots, key=lambda s: s.number))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def number_width(total: int) -> int:
    return max(3, len(str(total)))


def generate_allocation_list(
    *, seed: int | str, arms: dict[str, int], size: int, block_multipliers=(1, 2, 3), strata: list[str] | None = None
) -> list[Slot]:
    """The allocation list: ``size`` slots per stratum (or ``size`` in all when ``strata`` is None)."""
    _check(arms, size, block_multipliers)
    seed = seed_text(seed)
    keys = list(strata) if strata else [NO_STRATUM]
    if len(set(keys)) != len(keys):
        raise ValueError("stratum keys must be unique")
    width = number_width(size * len(keys))
    slots: list[Slot] = []
    for key in keys:
        rng = random.Random(f"{seed}:{key}")
        for sequence, (arm, block, block_size) in enumerate(
            _stratum_sequence(rng, arms, size, block_multipliers), start=1
        ):
            number = str(len(slots) + 1).zfill(width)
            slots.append(Slot(number, key, sequence, arm, block, block_size))
    return slots


def group_labels(*, seed: int | str, arms: list[str]) -> dict[str, str]:
    """The first blinding level: arm code -> group letter ("A", "B", ...), drawn from the seed.

    Two-level blind (ADMSC protocol): the list says which group each number is in; which treatment each group
    receives is a second, separate secret. An analysis by group can then run before the treatments are known.
    """
    if len(arms) > 26:
        raise ValueError("at most 26 arms can be given group letters")
    letters = [chr(ord("A") + i) for i in range(len(arms))]
    random.Random(f"{seed_text(seed)}:groups").shuffle(letters)
    return dict(zip(arms, letters, strict=True))
