"""What the plausibility checks and the blank-score reasons add to a save, beside ``compute`` in the same run.

One BPI response breaking a warning (its three checks evaluated), one PSQI response with hours of sleep missing
(four blank scores explained), and ``compute`` of the same BPI response as the reference: read the ratios on a
noisy machine.

    .venv/bin/python benchmarks/plausibility.py [-n ROUNDS]

Pure Python: no Django, no database.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from instruments.definitions import compute, load_library  # noqa: E402
from instruments.definitions.plausibility import violations  # noqa: E402
from instruments.definitions.reasons import score_reasons  # noqa: E402

BPI = {"bpi_1": 1, "bpi_3": 8, "bpi_4": 2, "bpi_5": 9, "bpi_6": 4} | {f"bpi_9{c}": 3 for c in "abcdefg"}
PSQI = {"psqi_1": "23:00", "psqi_2": 10, "psqi_3": "07:00", "psqi_5a": 0, "psqi_6": 1, "psqi_7": 0, "psqi_8": 0}
PSQI |= {"psqi_9": 0} | {f"psqi_5{c}": 0 for c in "bcdefghi"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--rounds", type=int, default=20000)
    rounds = parser.parse_args().rounds
    library = load_library()
    bpi, psqi = library.latest("bpi"), library.latest("psqi")
    bpi_scores, psqi_scores = compute(bpi, BPI), compute(psqi, PSQI)
    runs = {
        f"violations(bpi, {len(bpi.checks)} checks)": lambda: violations(bpi.checks, BPI, bpi_scores),
        "score_reasons(psqi, 4 blank scores)": lambda: score_reasons(psqi, PSQI, psqi_scores),
        "compute(bpi), the reference": lambda: compute(bpi, BPI),
    }
    for label, run in runs.items():
        print(f"{label}: {timeit.timeit(run, number=rounds) / rounds * 1e6:.1f} µs a form")


if __name__ == "__main__":
    main()
