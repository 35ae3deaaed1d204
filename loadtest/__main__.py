"""python -m loadtest --participants 1000 --users 50 --duration 120 [--saturation-users 20 --saturation-duration 60]

Builds a throw-away production stack (``loadtest.stack``: its own PostgreSQL, Redis, gunicorn with DEBUG off and
collected static files, a real Celery worker), generates the study (``manage.py generate_study``), creates the users
(``loadtest.seed``), then runs locust headless twice:

1. paced: ``--users`` coordinators acting every 5-15 s (10 s on average), 3 monitors and the PI on dashboards, and a
   data manager running one data export after another meanwhile; per-kind requests/s, p50/p95/p99 and errors, checked
   against the targets (p95 CRF save < 150 ms, p95 participant list and status grid < 300 ms, 0 errors);
2. saturation: ``--saturation-users`` closed-loop users with no think time, first on the health endpoint alone (one
   ``SELECT 1``: the cheapest request the stack answers), then on the product's mix; the ratio of the two
   throughputs is the product's per-request cost in health requests.

Beside each phase it prints the CPU seconds gunicorn and PostgreSQL spent per request (less sensitive to other load
on the machine than the latencies) and the machine's load average. Exits 1 when a target is missed or a request
failed. Nothing shared is touched: every service runs in a temporary folder on free ports.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from . import report
from .stack import ROOT, Stack


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m loadtest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--users", type=int, default=50, help="coordinators (plus 3 monitors, a PI, a data manager)")
    parser.add_argument("--duration", type=int, default=120, help="seconds of the paced run, after the ramp-up")
    parser.add_argument("--saturation-users", type=int, default=20)
    parser.add_argument("--saturation-duration", type=int, default=60, help="seconds of each saturation phase")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--skip-saturation", action="store_true")
    parser.add_argument("--keep", action="store_true", help="leave the stack's folder (logs, CSV) behind")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    return parser.parse_args(argv)


def stack_build(args: argparse.Namespace) -> tuple[Stack, Path]:
    stack = Stack(web_workers=args.web_workers)
    started = time.monotonic()
    print(stack.build(participants=args.participants, coordinators=args.users, monitors=3))
    print(f"stack ready in {time.monotonic() - started:.0f} s: {stack.base_url} ({stack.folder})")
    return stack, stack.folder / "worklist.json"


def locust(stack: Stack, worklist: Path, *, users: int, seconds: int, name: str, think: bool, health: bool = False):
    """One headless locust run; returns its per-kind rows, its errors and the server CPU seconds it cost.

    The measured window starts once every user has logged in (the locustfile resets the statistics and writes the
    marker file then) and lasts ``seconds``; the CPU of gunicorn and PostgreSQL is sampled at both ends of it.
    """
    prefix, marker = stack.folder / name, stack.folder / f"{name}.started"
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "loadtest" / "locustfile.py"), "--headless"]
    command += ["-u", str(users), "-r", str(max(1, users // 10)), "-t", f"{seconds * 3 + 300}s"]
    command += ["--host", stack.base_url, "--csv", str(prefix), "--only-summary", "--stop-timeout", "30"]
    env = {
        **stack.env(),
        "LOAD_WORKLIST": str(worklist),
        "LOAD_THINK": "1" if think else "0",
        "LOAD_HEALTH": "1" if health else "0",
        "LOAD_MARKER": str(marker),
        "LOAD_DURATION": str(seconds),
        "PYTHONPATH": str(ROOT),
    }
    web, database = stack.processes["gunicorn"].pid, report.postmaster_pid(stack.pg_data)
    with (stack.folder / f"{name}.locust.log").open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        while not marker.exists() and process.poll() is None:
            time.sleep(0.2)
        cpu_before = report.cpu_seconds(web), report.cpu_seconds(database)
        process.wait(seconds * 3 + 360)
    cpu = report.cpu_seconds(web) - cpu_before[0], report.cpu_seconds(database) - cpu_before[1]
    return report.kinds(prefix), report.failures(prefix), cpu


def _aggregate(rows: list[report.Kind]) -> report.Kind:
    return next(row for row in rows if row.name == "Aggregated")


def phase_print(title: str, rows, failures, cpu) -> dict:
    total = _aggregate(rows)
    per_request = [1000 * seconds / total.requests if total.requests else 0.0 for seconds in cpu]
    print(f"\n## {title}\n{report.table(rows)}")
    print(f"server CPU per request: gunicorn {per_request[0]:.1f} ms, PostgreSQL {per_request[1]:.1f} ms")
    print(f"machine load average: {report.load_average()}")
    for line in failures[:10]:
        print(f"  error: {line}")
    return {
        "kinds": [row.__dict__ for row in rows],
        "failures": failures,
        "cpu_ms_per_request": {"gunicorn": per_request[0], "postgresql": per_request[1]},
        "load_average": report.load_average(),
    }


def run(args: argparse.Namespace) -> int:
    stack, worklist = stack_build(args)
    figures: dict = {"participants": args.participants, "coordinators": args.users}
    try:
        rows, failures, cpu = locust(
            stack, worklist, users=args.users + 5, seconds=args.duration, name="paced", think=True
        )
        figures["paced"] = phase_print(
            f"paced: {args.users} coordinators every 5-15 s, {args.duration} s", rows, failures, cpu
        )
        verdicts = report.target_verdicts(rows)
        if not args.skip_saturation:
            figures["saturation"] = saturation(stack, worklist, args)
    finally:
        stack.stop(keep=args.keep)
    print("\n## targets")
    for text, ok in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    figures["targets"] = [{"target": text, "pass": ok} for text, ok in verdicts]
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0 if all(ok for _text, ok in verdicts) else 1


def saturation(stack: Stack, worklist: Path, args: argparse.Namespace) -> dict:
    users, seconds = args.saturation_users, args.saturation_duration
    health = locust(stack, worklist, users=users, seconds=seconds, name="health", think=False, health=True)
    mix = locust(stack, worklist, users=users, seconds=seconds, name="saturation", think=False)
    result = {
        "health": phase_print(f"saturation reference: {users} users on /health/, no think time", *health),
        "product": phase_print(f"saturation: {users} users on the product's mix, no think time", *mix),
    }
    health_rate, product_rate = _aggregate(health[0]).per_second, _aggregate(mix[0]).per_second
    ratio = health_rate / product_rate if product_rate else float("inf")
    print(
        f"\nsaturation throughput: product {product_rate:.1f} req/s, health endpoint {health_rate:.1f} req/s "
        f"(same stack, same run): a product request costs {ratio:.1f} health requests"
    )
    result["ratio_health_to_product"] = ratio
    return result


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  # progress shows as it happens
    sys.exit(run(parse(sys.argv[1:])))
