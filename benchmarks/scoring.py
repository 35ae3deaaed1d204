"""Scoring throughput on the LBPB baseline battery, beside references measured in the same run.

Every scored instrument of the baseline visit in protocols/lbpb.yaml gets full random valid answers
(as a form sends them: text); one "response" is clean_responses + compute, what response_submit does
before it touches the database. The same loop is timed with clean_responses alone and with a trivial
function, so the figures can be compared across runs on a noisy machine (read the ratios).

    .venv/bin/python benchmarks/scoring.py [-n ROUNDS] [--repeat R] [--seed S] [--json]

No database: the scoring is pure, but the instrument registry it reads the definitions from is a Django app
(it also knows a study's stored instruments), so Django is set up first.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbpb.settings")

import django  # noqa: E402

django.setup()

from benchmarks.table import emit, row  # noqa: E402
from instruments.definitions import Instrument, Item, clean_responses, compute  # noqa: E402
from instruments.registry import get_instrument, instrument_codes  # noqa: E402
from studies.protocol import parse_protocol  # noqa: E402


def baseline_battery() -> tuple[list[Instrument], list[str]]:
    """Scored instruments of LBPB's baseline visit (each activity once), and codes not in the library."""
    path = ROOT / "protocols" / "lbpb.yaml"
    text = path.read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    named = {
        entry if isinstance(entry, str) else entry["code"]
        for visit in raw["visits"]
        for entry in (visit.get("activities") or {}).get("instruments", [])
    }
    protocol = parse_protocol(
        text,
        filename=str(path),
        known_instruments=instrument_codes() | named,
        known_specimens={"blood", "stool", "adipose_tissue"},
        known_acquisitions={"mri", "psg", "hrv", "emg"},
    )
    activities = [a for a in protocol.visit("baseline").activities if a.kind == "instrument"]
    missing = sorted({a.code for a in activities if a.code not in instrument_codes()})
    battery = [get_instrument(a.code, a.version) for a in activities if a.code not in missing]
    return [one for one in battery if one.scorer], missing


def answer(item: Item, rng: random.Random):
    low = item.min if item.min is not None else 0
    high = item.max if item.max is not None else low + 100
    if item.type == "single_choice":
        return str(rng.choice(item.option_codes))
    if item.type == "multiple_choice":
        return [str(code) for code in rng.sample(item.option_codes, rng.randint(1, len(item.option_codes)))]
    if item.type in ("integer_scale", "duration"):
        return str(rng.randint(int(low), int(high)))
    if item.type == "number":
        return f"{rng.uniform(low, high):.{item.decimals if item.decimals is not None else 1}f}"
    return {
        "yes_no": rng.choice("01"),
        "date": f"2026-03-{rng.randint(1, 28):02d}",
        "partial_date": "2025-11",
        "time": f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        "text": "note",
    }[item.type]


def answer_sets(battery, rounds: int, seed: int) -> list[list[tuple[Instrument, dict]]]:
    rng = random.Random(seed)
    return [
        [(one, {item.code: answer(item, rng) for item in one.items if item.entered}) for one in battery]
        for _ in range(rounds)
    ]


def score_one(instrument, raw):
    return compute(instrument, clean_responses(instrument, raw, complete=True).values)


def clean_one(instrument, raw):
    return clean_responses(instrument, raw, complete=True)


def trivial(instrument, raw):
    return raw


def timed(fn, sets) -> float:
    """Best-of loop time is taken by the caller; this is one pass over every answer set."""
    start = time.perf_counter()
    for battery in sets:
        for instrument, raw in battery:
            fn(instrument, raw)
    return time.perf_counter() - start


def measure(rounds: int, repeat: int, seed: int) -> tuple[list[Instrument], list[str], dict[str, float]]:
    """The battery, the codes it skipped, and the best pass time of each loop."""
    battery, missing = baseline_battery()
    sets = answer_sets(battery, rounds, seed)
    for instrument, raw in sets[0]:  # every answer set must be valid, or the benchmark measures refusals
        errors = clean_responses(instrument, raw, complete=True).errors
        assert not errors, (instrument.code, errors)
    best = {name: float("inf") for name in ("clean+score", "clean only", "trivial call")}
    for _ in range(repeat):  # interleaved, so a burst of load hits all three alike
        for name, fn in (("clean+score", score_one), ("clean only", clean_one), ("trivial call", trivial)):
            best[name] = min(best[name], timed(fn, sets))
    return battery, missing, best


def rows(rounds: int = 200, repeat: int = 5, seed: int = 2026) -> list[dict]:
    """The figures for python -m benchmarks (the same measurement as the printed report)."""
    battery, _missing, best = measure(rounds, repeat, seed)
    return _rows(battery, best, rounds)


def _rows(battery: list[Instrument], best: dict[str, float], rounds: int) -> list[dict]:
    count = len(battery) * rounds
    return [
        row(
            "scoring.throughput",
            f"scoring: clean + score, LBPB baseline battery ({len(battery)} instruments)",
            count / best["clean+score"],
            "responses/s",
            reference="clean only",
            reference_value=count / best["clean only"],
        ),
        row("scoring.battery", "scoring: one whole baseline battery", best["clean+score"] * 1e3 / rounds, "ms"),
    ]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--rounds", type=int, default=200, help="batteries per pass (default 200)")
    parser.add_argument("--repeat", type=int, default=5, help="passes; the best is reported (default 5)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", action="store_true", help="also print the rows for python -m benchmarks")
    args = parser.parse_args(argv)
    battery, missing, best = measure(args.rounds, args.repeat, args.seed)
    count = len(battery) * args.rounds
    print(
        f"LBPB baseline battery: {len(battery)} scored instruments, "
        f"{sum(len(one.items) for one in battery)} items; {args.rounds} batteries x best of {args.repeat}"
    )
    if missing:
        print(f"not in the library yet (skipped): {', '.join(missing)}")
    for name, seconds in best.items():
        print(f"  {name:13s} {count / seconds:12,.0f} responses/s  ({seconds * 1e6 / count:8.1f} µs each)")
    score_cost = best["clean+score"] - best["clean only"]
    print(
        f"  scoring alone {count / score_cost:12,.0f} responses/s; clean+score costs "
        f"{best['clean+score'] / best['clean only']:.2f} x clean only, "
        f"{best['clean+score'] / best['trivial call']:.0f} x a trivial call"
    )
    print(f"  one whole battery (clean+score): {best['clean+score'] * 1e3 / args.rounds:.2f} ms")
    if args.json:
        emit(_rows(battery, best, args.rounds))


if __name__ == "__main__":
    main()
