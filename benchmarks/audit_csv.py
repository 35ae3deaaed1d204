"""The study audit trail as CSV (audit:study-events?format=csv) at two sizes, to show that its memory is flat.

``generate_study`` writes one audit event per batch, not one per form, so a generated study has almost no trail.
This script first gives it one, once (the events are kept, marked by their request ID): for ``--per-participant``
stored forms of each enrolled participant, spread over the study, the event that entering the form writes
(instruments.response created, one recorded change per answer and score). The first tenth of them is dated
2001-01-01 and the rest 2001-01-02, so the same page filtered ``date_to=2001-01-01`` is the small size.

For each size, in a fresh child process: the download requested by a data manager (every site) through Django's test
client, its body read chunk by chunk as a client reads it; its wall time, the lines and bytes, and the process's peak
resident memory above what it held after a warm-up request (ru_maxrss: Python objects, the database driver's
buffers and the allocator's slack alike; tracemalloc would slow the run several times). Reference, in the same run:
the same events' columns read alone (``values_list`` through the same scoped query): what the database part costs.

Run:  DATABASE_URL=postgres://... DJANGO_REQUIRE_2FA=0 .venv/bin/python benchmarks/audit_csv.py [--study lbpb]
      [--per-participant 10] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbpb.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import F  # noqa: E402
from django.urls import reverse  # noqa: E402

from audit.models import AuditEvent  # noqa: E402
from benchmarks.table import emit, row  # noqa: E402
from benchmarks.world import bench_user, client_for, production_pages  # noqa: E402
from instruments.models import Response  # noqa: E402
from instruments.registry import get_library  # noqa: E402
from participants.models import Participant  # noqa: E402
from reports.trail import selectors  # noqa: E402
from studies.models import Study  # noqa: E402

SEED = "benchmark-seed"  # the request ID of the events this script adds
SMALL_DAY, LARGE_DAY = datetime(2001, 1, 1, 12, tzinfo=UTC), datetime(2001, 1, 2, 12, tzinfo=UTC)
BATCH = 2000
SIZES = {"small": "&date_to=2001-01-01", "all": ""}  # the query of each size


def _event(response: tuple, user_id: int, at: datetime) -> AuditEvent:
    pk, participant_id, site_id, study_id, identifier, code, values, scores = response
    changes = {f"values.{name}": [None, value] for name, value in (values or {}).items()}
    changes |= {f"scores.{name}": [None, value] for name, value in (scores or {}).items()}
    changes["status"] = [None, "complete"]
    return AuditEvent(
        study_id=study_id,
        site_id=site_id,
        participant_id=participant_id,
        object_type="instruments.response",
        object_id=str(pk),
        object_label=f"{identifier} {code}",
        action=AuditEvent.Action.CREATE,
        changes=changes,
        path=AuditEvent.Path.PAGE,
        user_id=user_id,
        at=at,
        request_id=SEED,
    )


def seed_events(study: Study, per_participant: int) -> int:
    """Add the benchmark's events unless they are there; return how many there are."""
    existing = AuditEvent.objects.filter(study=study, request_id=SEED).count()
    if existing:
        return existing
    enrolled = Participant.objects.filter(study=study).exclude(identifier="").count()
    forms = Response.objects.filter(participant__study=study, participant__identifier__gt="")
    step = max(1, forms.count() // max(1, enrolled * per_participant))  # every step-th form: spread over the study
    chosen = (
        forms.annotate(slot=F("pk") % step)
        .filter(slot=0)
        .order_by("pk")
        .values_list(
            "pk",
            "participant_id",
            "participant__site_id",
            "participant__study_id",
            "participant__identifier",
            "instrument_code",
            "values",
            "scores",
        )[: enrolled * per_participant]
    )
    user_id = bench_user(study, "coordinator").pk
    total = enrolled * per_participant
    batch: list[AuditEvent] = []
    for number, response in enumerate(chosen.iterator(chunk_size=BATCH)):
        day = SMALL_DAY if number < total // 10 else LARGE_DAY
        batch.append(_event(response, user_id, day + timedelta(microseconds=number)))
        if len(batch) == BATCH:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {AuditEvent._meta.db_table}")
    return AuditEvent.objects.filter(study=study, request_id=SEED).count()


def download(client, url: str) -> tuple[int, int]:
    """Bytes and lines of the streamed CSV, read chunk by chunk."""
    answer = client.get(url, secure=True)
    assert answer.status_code == 200 and answer.streaming, answer.status_code
    size = lines = 0
    for chunk in answer.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    return size, lines


def child(size: str, study_code: str) -> dict:
    """One download in this (fresh) process: time, and peak resident memory above the warmed-up process's."""
    study = Study.objects.get(code=study_code)
    client = client_for(bench_user(study, "data_manager"))  # a role that reads the study-wide trail
    url = reverse("audit:study-events", args=[study.code]) + "?format=csv"
    with production_pages():
        download(client, url + "&date_to=2000-01-01")  # warm: the session, templates, the connection
        get_library()  # and the instrument library, which a web process reads once, on its first such request
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        size_bytes, lines = download(client, url + SIZES[size])
        seconds = time.perf_counter() - started
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
    return {"seconds": seconds, "rss_growth_mb": growth / 1024, "bytes": size_bytes, "lines": lines}


def _run_child(size: str, study: str) -> dict:
    done = subprocess.run(  # noqa: S603 - this interpreter running this file
        [sys.executable, __file__, "--study", study, "--child", size],
        env=os.environ,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def columns_alone(user, study: Study, date_to) -> int:
    """The reference: the same scoped, filtered events' columns, read and thrown away."""
    events = selectors.event_filter(selectors.study_events(user, study), date_to=date_to)
    return sum(1 for _ in events.values_list(*selectors._CSV_VALUES).iterator(chunk_size=selectors.CSV_BATCH))


def measure(study_code: str, per_participant: int) -> dict:
    study = Study.objects.get(code=study_code)
    started = time.perf_counter()
    events = seed_events(study, per_participant)
    seeded = time.perf_counter() - started
    user = bench_user(study, "data_manager")
    sizes = {}
    for name, date_to in (("small", SMALL_DAY.date()), ("all", None)):
        sizes[name] = _run_child(name, study_code)
        reference_started = time.perf_counter()
        sizes[name]["events"] = columns_alone(user, study, date_to)
        sizes[name]["reference"] = time.perf_counter() - reference_started
    return {"events": events, "seeded_s": seeded, "sizes": sizes}


def rows(figures: dict) -> list[dict]:
    small, large = figures["sizes"]["small"], figures["sizes"]["all"]
    out = []
    for key, size in (("small", small), ("all", large)):
        words = f"audit CSV, {size['events']:,} events ({size['lines']:,} lines, {size['bytes'] / 2**20:.0f} MB)"
        out.append(
            row(
                f"audit_csv.{key}.s",
                f"{words}: time",
                size["seconds"],
                "s",
                reference="the same rows read alone",
                reference_value=size["reference"],
            )
        )
    out.append(
        row(
            "audit_csv.small.peak",
            f"audit CSV, {small['events']:,} events: peak RSS above a warm process",
            small["rss_growth_mb"],
            "MB",
        )
    )
    out.append(
        row(
            "audit_csv.all.peak",
            f"audit CSV, {large['events']:,} events: peak RSS above a warm process",
            large["rss_growth_mb"],
            "MB",
            reference=f"the same at {small['events']:,} events",
            reference_value=small["rss_growth_mb"],
        )
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", default="lbpb")
    parser.add_argument("--per-participant", type=int, default=10, help="trail events per enrolled participant")
    parser.add_argument("--json", action="store_true", help="also print the rows for python -m benchmarks")
    parser.add_argument("--child", choices=list(SIZES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.study)))
        return
    figures = measure(args.study, args.per_participant)
    print(f"audit trail of {args.study}: {figures['events']} benchmark events (added in {figures['seeded_s']:.0f} s)")
    print(f"{'':8} {'events':>9} {'lines':>10} {'MB':>7} {'time s':>8} {'RSS +MB':>8} {'rows alone s':>13}")
    for name, size in figures["sizes"].items():
        print(
            f"{name:8} {size['events']:>9} {size['lines']:>10} {size['bytes'] / 2**20:>7.1f} {size['seconds']:>8.1f} "
            f"{size['rss_growth_mb']:>8.1f} {size['reference']:>13.2f}"
        )
    if args.json:
        emit(rows(figures))


if __name__ == "__main__":
    main()
