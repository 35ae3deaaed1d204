"""REDCap record export benchmark: every record of an N-participant generated study in one ``content=record``
call, beside the exports app's CSV export (wide, one row per participant-visit) of the same data, in the same run.

For each: wall time of a plain run, peak Python memory of a second run under tracemalloc (what the process
allocates, not the database's), the bytes written and the rows. The REDCap answer is streamed and consumed
chunk by chunk as a client reads it; the CSV export writes its file as the background job does (export_run).
The same user (a data manager at every site) makes both, so both hold the same participants.

Run:  DJANGO_DEBUG=1 .venv/bin/python benchmarks/redcap_records.py [--participants 10000] [--format csv|json]
      (a throw-away SQLite database by default; --database-url postgres://... to measure on PostgreSQL: the
      database must be empty, it is migrated and filled; --reuse measures the study a database already holds)
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbpb.settings")
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--participants", type=int, default=1000)
parser.add_argument("--format", choices=["csv", "json"], default="csv")
parser.add_argument("--study", default="lbpb")
parser.add_argument("--database-url", default="")
parser.add_argument("--reuse", action="store_true", help="measure the study already in the database (no generation)")
parser.add_argument("--json", action="store_true", help="also print the rows for python -m benchmarks")
ARGS = parser.parse_args()
SCRATCH = Path(tempfile.mkdtemp(prefix="lbpb-redcap-benchmark-"))
os.environ["DATABASE_URL"] = ARGS.database_url or f"sqlite:///{SCRATCH / 'db.sqlite3'}"
os.environ.setdefault("MEDIA_ROOT", str(SCRATCH / "media"))

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.services import membership_grant  # noqa: E402
from api.services import token_create  # noqa: E402
from benchmarks.table import emit, row  # noqa: E402
from exports.models import DataExport  # noqa: E402
from exports.services import export_run  # noqa: E402
from studies.models import Study  # noqa: E402
from workflows.synthetic import study_generate  # noqa: E402


def measure(run):
    """Time of a plain run (tracemalloc slows Python several times), then the peak of a second, traced run."""
    start = time.perf_counter()
    size, rows = run()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak, size, rows


def redcap_export(token: str):
    def run():
        data = {"token": token, "content": "record", "format": ARGS.format}
        answer = Client().post("/redcap/api/", data, secure=True)  # as over TLS: DEBUG off redirects plain HTTP
        assert answer.status_code == 200, answer.status_code
        size = lines = 0
        for chunk in answer.streaming_content:  # as a client reads it: chunk by chunk
            size += len(chunk)
            lines += chunk.count(b"\n") if ARGS.format == "csv" else chunk.count(b'{"record_id"')
        return size, lines - 1 if ARGS.format == "csv" else lines

    return run


def csv_export(study):
    def run():
        export = DataExport.objects.create(
            study=study,
            format=DataExport.Format.CSV_WIDE,
            deidentified=False,
            free_text=True,
            arms=False,
            all_sites=True,
        )
        export = export_run(export_id=export.pk)
        assert export.status == DataExport.Status.DONE, export.error
        return export.file_size or 0, export.rows

    return run


def main() -> None:
    call_command("migrate", verbosity=0)
    if ARGS.reuse:
        study = Study.objects.get(code=ARGS.study)
        print(f"Reusing {study.participants.count()} participants of {ARGS.study}", flush=True)
    else:
        print(f"Generating {ARGS.participants} participants in {ARGS.study} ...", flush=True)
        started = time.perf_counter()
        study = study_generate(study_code=ARGS.study, participants=ARGS.participants, seed=1).study
        print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
    user, _created = User.objects.get_or_create(username="benchmark")
    membership_grant(user=user, study=study, role="data_manager", sites=[], all_sites=True)
    token = token_create(user=user, study=study, by=None).key
    cache.clear()
    with override_settings(REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"api_token": "100000/minute"}}):
        results = {
            f"REDCap content=record ({ARGS.format}, one call)": measure(redcap_export(token)),
            "exports app CSV (wide, export_run)": measure(csv_export(study)),
        }
    print(f"\n{ARGS.participants} participants, database {django.db.connection.vendor}")
    print(f"{'':44} {'time (s)':>9} {'peak MB':>9} {'MB out':>8} {'rows':>8}")
    for name, (seconds, peak, size, rows) in results.items():
        print(f"{name:44} {seconds:9.2f} {peak / 2**20:9.1f} {size / 2**20:8.1f} {rows:8}")
    if ARGS.json:
        emit(figures(*results.values()))


def figures(record, wide) -> list[dict]:
    """The REDCap call against the exports app's CSV of the same data, time and peak memory."""
    (seconds, peak, size, rows), (wide_s, wide_peak, _size, _rows) = record, wide
    words = f"REDCap API content=record, one call ({rows:,} rows, {size / 2**20:.0f} MB)"
    return [
        row("redcap.record.s", f"{words}: time", seconds, "s", reference="wide CSV export", reference_value=wide_s),
        row(
            "redcap.record.peak",
            "REDCap API content=record: peak Python memory",
            peak / 2**20,
            "MB",
            reference="wide CSV export",
            reference_value=wide_peak / 2**20,
        ),
        row("redcap.csv_wide.s", "exports app wide CSV (export_run): time", wide_s, "s"),
        row("redcap.csv_wide.peak", "exports app wide CSV (export_run): peak Python memory", wide_peak / 2**20, "MB"),
    ]


if __name__ == "__main__":
    main()
