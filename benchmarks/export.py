"""Export benchmark: the wide-CSV and Parquet exports of a generated study, beside a raw PostgreSQL COPY of the
same rows measured in the same run, at one or more sizes (to show that memory stays flat in N).

For each size N, a scratch database ``<your database>_bench_<N>`` on the server DATABASE_URL names is created,
migrated and filled by ``manage.py generate_study --study lbpb --participants N`` (the whole LBPB schedule), unless
it already holds that study (``--keep`` leaves it for the next run). Then each measurement runs in a fresh child
process, in turn (COPY, CSV, Parquet, COPY, ...), and the best of ``--runs`` is reported:

- reference: ``COPY (SELECT ...) TO STDOUT (FORMAT csv)`` of every stored form of the study's participants with
  its participant, site and visit (occurrence, dates), the answers and scores as JSON, in participant order,
  received by the client into a file: what the database itself costs to hand over the data an export reads;
- ``csv_wide`` and ``parquet``: ``exports.services.command_export`` (the job's own ``export_run``: the same three
  streamed queries, de-identified by default, the file written, checksummed and audited), one row per
  participant-visit with every form's items and scores as columns.

Each child reports wall and CPU time (its own, and that of its PostgreSQL backend read from /proc when the server
runs on this machine) and its peak resident memory above what it held after start-up (ru_maxrss), so the memory
figure covers pyarrow's buffers too. The target is an export within 3x of COPY (stretch 2x) and a peak that does
not grow with N.

Run:  DATABASE_URL=postgres://... .venv/bin/python benchmarks/export.py --participants 1000 10000 [--runs 1] [--keep]
      .venv/bin/python benchmarks/export.py --database-url URL [--json]   (the study a database already holds; on
      SQLite without the COPY reference; python -m benchmarks runs it so)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.table import emit, row  # noqa: E402

KINDS = ("copy", "csv_wide", "parquet")
STUDY = "lbpb"


def _database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _server(url: str):
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    connection.autocommit = True
    return connection


def _child_env(url: str) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=url, DATABASE_CONN_MAX_AGE="0")
    env.setdefault("DJANGO_DEBUG", "1")
    env.setdefault("DJANGO_REQUIRE_2FA", "0")
    return env


def _manage(url: str, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - this interpreter running manage.py with our own arguments
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=_child_env(url),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def prepare(base_url: str, participants: int) -> str:
    """The scratch database of size ``participants``, created and generated when missing."""
    name = f"{urlsplit(base_url).path.lstrip('/')}_bench_{participants}"
    url = _database_url(base_url, name)
    server = _server(base_url)
    with server.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if not exists:
            cursor.execute(f'CREATE DATABASE "{name}"')
    server.close()
    if exists and _generated(url) == participants:
        print(f"N = {participants}: reusing database {name}")
        return url
    _manage(url, "migrate", "-v0")
    started = time.perf_counter()
    out = _manage(url, "generate_study", "--study", STUDY, "--participants", str(participants), "--seed", "1")
    print(f"N = {participants}: generated in {time.perf_counter() - started:.0f} s: {out.strip().splitlines()[-1]}")
    return url


def _generated(url: str) -> int:
    """How many enrolled participants the scratch database holds (-1 before it is migrated)."""
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname=parts.path.lstrip("/"),
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM participants_participant WHERE identifier <> ''")
            return cursor.fetchone()[0]
    except psycopg2.Error:
        return -1
    finally:
        connection.close()


def _generated_any(url: str) -> int:
    """The enrolled participants of a database on either engine."""
    return int(_manage(url, "shell", "-c", COUNT).strip().splitlines()[-1])


COUNT = "from participants.models import Participant; print(Participant.objects.exclude(identifier='').count())"


def drop(base_url: str, url: str) -> None:
    server = _server(base_url)
    with server.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}"')
    server.close()


# --- one measurement, in a child process ----------------------------------------------------------------------


def _backend_cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the server runs elsewhere
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def copy_sql() -> str:
    from instruments.models import Response
    from participants.models import Participant, Visit
    from studies.models import Site, Study

    study = Study.objects.get(code=STUDY)
    p, s = Participant._meta.db_table, Site._meta.db_table
    r, v = Response._meta.db_table, Visit._meta.db_table
    sql = f"""COPY (  -- table names from the models, the study's id an integer: nothing from outside
        SELECT p.identifier, s.code, r.visit_code, v.sequence, v.completed_on, v.target_date,
               r.activity_key, r.instance, r.instrument_code, r.definition_version, r."values", r.scores
        FROM {p} p
        JOIN {s} s ON s.id = p.site_id
        JOIN {r} r ON r.participant_id = p.id
        LEFT JOIN {v} v ON v.participant_id = p.id AND v.visit_code = r.visit_code AND v.sequence = 1
        WHERE p.study_id = {int(study.pk)} AND p.identifier <> ''
        ORDER BY p.id, r.visit_code, r.activity_key, r.instance
    ) TO STDOUT WITH (FORMAT csv, HEADER)"""  # noqa: S608
    return sql


def measure(kind: str) -> dict:
    """Run one export (or the COPY) and report its figures as a dict."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbpb.settings")
    import django

    django.setup()
    from django.db import connection

    from exports.selectors import Choice
    from exports.services import command_export
    from studies.models import Study

    study = Study.objects.get(code=STUDY)
    import pyarrow.parquet  # noqa: F401 - loaded before the baseline: the library's own size is not the export's

    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    backend_before = None if backend is None else _backend_cpu(backend)
    cpu_before, started = _cpu(), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lbpb-export-bench-") as folder:
        out = Path(folder) / f"out.{kind}"
        if kind == "copy":
            with connection.cursor() as cursor, out.open("w", encoding="utf-8") as handle:
                cursor.copy_expert(copy_sql(), handle)
        else:
            export = command_export(
                study=study, format=kind, choice=Choice(), deidentified=True, free_text=False, out=out
            )
            if export.status != "done":
                raise SystemExit(f"{kind} export failed: {export.error}")
        seconds, cpu = time.perf_counter() - started, _cpu() - cpu_before
        backend_after = None if backend is None else _backend_cpu(backend)
        # counted after the timing: the reference's rows are its CSV lines but the header
        rows = export.rows if kind != "copy" else sum(1 for _ in out.open(encoding="utf-8")) - 1
        size = out.stat().st_size
    server = None if backend_before is None or backend_after is None else backend_after - backend_before
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "kind": kind,
        "seconds": seconds,
        "cpu": cpu,
        "server_cpu": server,
        "rows": rows,
        "bytes": size,
        "rss_growth_mb": (peak - base_rss) / 1024,
        "rss_peak_mb": peak / 1024,
    }


def _run_child(url: str, kind: str) -> dict:
    done = subprocess.run(  # noqa: S603 - this interpreter running this file
        [sys.executable, __file__, "--child", kind],
        env=_child_env(url),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_size(url: str, participants: int, runs: int) -> dict[str, dict]:
    best: dict[str, dict] = {}
    kinds = KINDS if url.startswith("postgres") else KINDS[1:]  # COPY is PostgreSQL's
    for _ in range(runs):
        for kind in kinds:  # in turn, so that load from other processes falls on every side of a ratio
            result = _run_child(url, kind)
            if kind not in best or result["seconds"] < best[kind]["seconds"]:
                best[kind] = result
    return best


def _server_text(result: dict) -> str:
    return "   n/a" if result["server_cpu"] is None else f"{result['server_cpu']:6.1f}"


def rows(best: dict[str, dict]) -> list[dict]:
    """The figures for python -m benchmarks: wall time against COPY's (PostgreSQL), and peak memory."""
    copy = best.get("copy")
    out = []
    for kind in KINDS[1:]:
        result = best[kind]
        out.append(
            row(
                f"export.{kind}.s",
                f"export {kind} ({result['rows']:,} rows, {result['bytes'] / 1e6:.0f} MB)",
                result["seconds"],
                "s",
                reference="COPY of the same forms" if copy else "",
                reference_value=copy["seconds"] if copy else None,
            )
        )
        out.append(row(f"export.{kind}.peak", f"export {kind}: peak RSS above start-up", result["rss_growth_mb"], "MB"))
    return out


def report(participants: int, best: dict[str, dict]) -> None:
    copy = best.get("copy") or best["csv_wide"]  # SQLite: no COPY, the ratios are against the CSV
    print(f"\nN = {participants} participants (the whole LBPB schedule)")
    print("  what                    rows    MB   wall s  CPU s  server CPU s  vs COPY wall / CPU+server  peak RSS +MB")
    for kind in best:
        result = best[kind]
        total = result["cpu"] + (result["server_cpu"] or 0)
        copy_total = copy["cpu"] + (copy["server_cpu"] or 0)
        ratio = (
            "reference"
            if result is copy
            else f"{result['seconds'] / copy['seconds']:5.2f}x / {total / copy_total:5.2f}x"
        )
        print(
            f"  {kind:<18} {result['rows']:>9} {result['bytes'] / 1e6:6.0f} {result['seconds']:8.1f} "
            f"{result['cpu']:6.1f} {_server_text(result):>13}  {ratio:>25} {result['rss_growth_mb']:10.0f}"
        )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, nargs="+", default=[1000, 10000], help="sizes (default 1000 10000)")
    parser.add_argument("--runs", type=int, default=1, help="rounds of the three measurements; the best is reported")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases for the next run")
    parser.add_argument("--database-url", help="measure the study this database holds (no scratch database)")
    parser.add_argument("--json", action="store_true", help="also print the rows for python -m benchmarks")
    parser.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    if args.database_url:
        best = bench_size(args.database_url, 0, args.runs)
        report(_generated_any(args.database_url), best)
        if args.json:
            emit(rows(best))
        return
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database: the reference is PostgreSQL's COPY.")
    results = {}
    for participants in args.participants:
        url = prepare(base, participants)
        try:
            results[participants] = bench_size(url, participants, args.runs)
        finally:
            if not args.keep:
                drop(base, url)
    for participants, best in results.items():
        report(participants, best)
    print(
        "\nRows: COPY hands over one row per stored form; the exports write one row per participant-visit with every"
        " form's variables as columns (the same data, pivoted, de-identified and typed)."
    )


if __name__ == "__main__":
    main()
