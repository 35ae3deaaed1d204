"""Reading a locust run back: per-kind figures from its CSV, the targets, and the server's CPU per request."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import psutil

# Issue 19's targets at 50 coordinators acting every 10 s (milliseconds, 95th percentile).
TARGETS_MS = {"CRF save": 150, "participant list": 300, "status grid": 300}


@dataclass(frozen=True)
class Kind:
    method: str
    name: str
    requests: int
    failures: int
    per_second: float
    p50: float
    p95: float
    p99: float


def kinds(prefix: Path) -> list[Kind]:
    """Each request kind of ``<prefix>_stats.csv``; the last row is the aggregate (name "Aggregated")."""
    with open(f"{prefix}_stats.csv", encoding="utf-8", newline="") as handle:
        return [
            Kind(
                method=row["Type"],
                name=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                per_second=float(row["Requests/s"]),
                p50=_number(row["50%"]),
                p95=_number(row["95%"]),
                p99=_number(row["99%"]),
            )
            for row in csv.DictReader(handle)
        ]


def failures(prefix: Path) -> list[str]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            f"{row['Method']} {row['Name']}: {row['Error']} ×{row['Occurrences']}" for row in csv.DictReader(handle)
        ]


def _number(text: str) -> float:
    return float(text) if text not in ("", "N/A") else 0.0


def table(rows: list[Kind]) -> str:
    lines = [f"{'kind':<28} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"]
    for row in rows:
        label = "all requests" if row.name == "Aggregated" else f"{row.method} {row.name}"
        lines.append(
            f"{label:<28} {row.requests:>8} {row.failures:>6} {row.per_second:>7.2f} "
            f"{row.p50:>7.0f} {row.p95:>7.0f} {row.p99:>7.0f}"
        )
    return "\n".join(lines)


def target_verdicts(rows: list[Kind]) -> list[tuple[str, bool]]:
    by_name = {row.name: row for row in rows}
    verdicts = []
    for name, limit in TARGETS_MS.items():
        row = by_name.get(name)
        measured = f"{row.p95:.0f} ms" if row else "not measured"
        verdicts.append((f"p95 {name} < {limit} ms: {measured}", row is not None and row.p95 < limit))
    total = by_name.get("Aggregated")
    errors = total.failures if total else -1
    verdicts.append((f"0 errors: {errors}", errors == 0))
    return verdicts


def cpu_seconds(pid: int) -> float:
    """CPU time of a process tree: its own, its live children's and that of the children it has reaped."""
    try:
        root = psutil.Process(pid)
        total = sum(_times(process) for process in [root, *root.children(recursive=True)])
        reaped = root.cpu_times()
        return total + reaped.children_user + reaped.children_system
    except psutil.NoSuchProcess:
        return 0.0


def _times(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
        return times.user + times.system
    except psutil.NoSuchProcess:
        return 0.0


def postmaster_pid(data: Path) -> int:
    return int((data / "postmaster.pid").read_text().split()[0])


def load_average() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} (1 / 5 min, {os.cpu_count()} cores)"
