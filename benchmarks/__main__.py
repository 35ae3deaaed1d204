"""python -m benchmarks: every benchmark of the product on one generated study, in one table.

    python -m benchmarks [--participants 10000] [--reuse DATABASE_URL] [--out benchmarks/results] [--quick]
                         [--readme] [--only NAME ...]
    python -m benchmarks --readme-from benchmarks/results/latest.json

The study: with ``--reuse URL``, the database at URL (migrated, and generated with ``--participants`` when it holds
no enrolled participant of the study yet); otherwise, when DATABASE_URL names a PostgreSQL database, a scratch
database ``<that name>_bench_<N>`` on the same server, made once by ``manage.py generate_study`` and kept for the
next run (export.py's ``prepare``); otherwise a throw-away SQLite file. ``--quick`` is the smoke test's size: 30
participants, small inputs, no PSG night and no DICOM worker chain.

Each benchmark is its own script (run alone, each prints its own report); this command runs them one after the
other, each in a fresh child process (so one's imports, caches and memory do not flatter the next) with DEBUG off,
collects the rows each prints with ``--json`` (benchmarks/table.py), prints one table and writes it as
``latest.json`` and ``latest.md`` in ``--out``. ``--readme`` also rewrites the README's "Performance" block from it.
A benchmark that fails is reported (its error in the JSON and a non-zero exit), and the others still run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import export, table  # noqa: E402
from benchmarks.suite import BENCHMARKS, Benchmark, expected_keys  # noqa: E402

STUDY = "lbpb"
QUICK_PARTICIPANTS = 30


def production_env() -> dict[str, str]:
    """Production settings (DEBUG off) for processes that are not servers: a throw-away secret, the test client's
    host, no two-factor step (the benchmark users sign in by force_login). Set in this process's environment, so
    every child export.py starts (export._child_env) inherits them."""
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_REQUIRE_2FA": "0",
        "PYTHONUNBUFFERED": "1",
    }


COUNTS = """
import json
from audit.models import AuditEvent
from instruments.models import Response
from participants.models import Participant, Visit
from django.db import connection
study = {"participant__study__code": %r}
print(json.dumps({
    "participants": Participant.objects.filter(study__code=%r).exclude(identifier="").count(),
    "visits": Visit.objects.filter(**study).count(),
    "forms": Response.objects.filter(**study).count(),
    "audit events": AuditEvent.objects.filter(study__code=%r).count(),
    "database": connection.vendor + (
        f" {connection.pg_version // 10000}.{connection.pg_version %% 10000}"
        if connection.vendor == "postgresql" else ""
    ),
}))
"""


def counts(url: str) -> dict:
    out = export._manage(url, "shell", "-c", COUNTS % (STUDY, STUDY, STUDY))
    return json.loads(out.strip().splitlines()[-1])


def generate(url: str, participants: int) -> None:
    print(f"generating {participants} participants in {STUDY} ...", flush=True)
    started = time.perf_counter()
    out = export._manage(url, "generate_study", "--study", STUDY, "--participants", str(participants), "--seed", "1")
    print(f"  {out.strip().splitlines()[-1]} ({time.perf_counter() - started:.0f} s)", flush=True)


def study_database(args, scratch: Path) -> str:
    """The URL of the database holding the study to measure (made and generated when needed)."""
    base = os.environ.get("DATABASE_URL", "")
    if args.reuse:
        url = args.reuse
    elif base.startswith("postgres"):
        return export.prepare(base, args.participants)  # its own scratch database, generated once and kept
    else:
        url = f"sqlite:///{scratch / 'benchmark.sqlite3'}"
    export._manage(url, "migrate", "-v0")
    if counts(url)["participants"] == 0:
        generate(url, args.participants)
    return url


def run_one(benchmark: Benchmark, url: str, quick: bool) -> tuple[list[dict], str]:
    """Run one script as a child; its rows, and its error ("" when it succeeded)."""
    arguments = list(benchmark.quick if quick else benchmark.full)
    if benchmark.name in ("export", "redcap"):
        arguments += ["--database-url", url]
    command = [sys.executable, str(ROOT / "benchmarks" / benchmark.script), *arguments, "--json"]
    print(f"\n== {benchmark.name}: {' '.join(command[1:])}", flush=True)
    started = time.perf_counter()
    child = subprocess.Popen(  # noqa: S603 - this interpreter running our own scripts
        command, env=export._child_env(url), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output = []
    assert child.stdout is not None
    for line in child.stdout:
        output.append(line)
        if not line.startswith(table.MARKER) and not line.startswith("AXES:"):
            print("   " + line, end="", flush=True)
    status = child.wait()
    print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
    rows = table.parse("".join(output))
    if status != 0:
        return rows, f"exit status {status}: " + "".join(output[-5:]).strip()
    missing = [key for key in expected_keys(benchmark, quick) if key not in {one["key"] for one in rows}]
    return rows, f"missing rows: {', '.join(missing)}" if missing else ""


def machine() -> str:
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f", {kib / 2**20:.0f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    load = "/".join(f"{one:.1f}" for one in os.getloadavg())
    return (
        f"{platform.machine()}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, load average {load} at the start"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--participants", type=int, default=None, help=f"study size (default 10000; --quick: {QUICK_PARTICIPANTS})"
    )
    parser.add_argument("--reuse", metavar="DATABASE_URL", default="", help="measure the study in this database")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results", help="where latest.json/md go")
    parser.add_argument("--quick", action="store_true", help="small sizes, skip the slowest (the smoke test)")
    parser.add_argument("--readme", action="store_true", help="rewrite README.md's Performance block from the result")
    parser.add_argument("--only", nargs="+", choices=[one.name for one in BENCHMARKS], help="run only these")
    parser.add_argument("--readme-from", type=Path, metavar="JSON", help="only rewrite the README from this result")
    args = parser.parse_args(argv)
    if args.readme_from:
        table.rewrite_readme(ROOT / "README.md", json.loads(args.readme_from.read_text(encoding="utf-8")))
        return 0
    args.participants = args.participants or (QUICK_PARTICIPANTS if args.quick else 10000)
    os.environ.update(production_env())
    started, started_at, host = time.perf_counter(), datetime.now(UTC), machine()
    with tempfile.TemporaryDirectory(prefix="lbpb-benchmarks-") as scratch:
        url = study_database(args, Path(scratch))
        study = counts(url)
        print(f"study {STUDY}: " + ", ".join(f"{value} {name}" for name, value in study.items() if name != "database"))
        rows, errors = [], {}
        for benchmark in BENCHMARKS:
            if args.only and benchmark.name not in args.only:
                continue
            found, error = run_one(benchmark, url, args.quick)
            rows += found
            if error:
                errors[benchmark.name] = error
    result = {
        "meta": {
            "started": started_at.isoformat(timespec="seconds"),
            "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "seconds": time.perf_counter() - started,
            "machine": host,
            "database": study.pop("database"),
            "participants": study["participants"],
            "counts": ", ".join(f"{value:,} {name}" for name, value in study.items() if name != "participants"),
            "quick": args.quick,
            "command": "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:]),
        },
        "rows": rows,
        "errors": errors,
    }
    write(result, args.out)
    print("\n" + table.text(rows))
    for name, error in errors.items():
        print(f"FAILED {name}: {error}")
    if args.readme:
        table.rewrite_readme(ROOT / "README.md", result)
        print("README.md: Performance block rewritten")
    return 1 if errors else 0


def write(result: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (out / "latest.md").write_text(table.markdown(result["rows"]), encoding="utf-8")
    print(f"\nwrote {out / 'latest.json'} and {out / 'latest.md'}")


if __name__ == "__main__":
    sys.exit(main())
