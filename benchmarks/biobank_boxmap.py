"""Box-map benchmark: the freezer page (biobank:freezer-detail) of a freezer holding 100 full 10 × 10 boxes
(10,000 specimens), requested through the Django test client as a logged-in coordinator.

Printed: the SQL statements of one request (they must not grow with the number of boxes: the same page with one
full box is measured beside it), and the server time of the request (best of --runs), beside a reference measured
in the same run: the time to fetch the same 10,000 position rows with their specimens as plain tuples
(``values_list``), i.e. what the database part alone costs. Rows go to a throw-away SQLite database (the
product's default), never to the database DATABASE_URL names.

Run:  DJANGO_DEBUG=1 .venv/bin/python benchmarks/biobank_boxmap.py [--boxes 100] [--runs 3] [--json]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbpb.settings")
SCRATCH = Path(tempfile.mkdtemp(prefix="lbpb-benchmark-"))
os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH / 'db.sqlite3'}"
os.environ.setdefault("DJANGO_REQUIRE_2FA", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.services import membership_grant  # noqa: E402
from benchmarks.table import emit, row  # noqa: E402
from benchmarks.world import production_pages  # noqa: E402
from biobank.models import Box, Freezer, Position, Rack, Specimen  # noqa: E402
from tests.factories import ParticipantFactory, SiteFactory, StudyFactory, UserFactory  # noqa: E402


def build(boxes: int):
    study = StudyFactory(code="BENCH")
    site = SiteFactory(study=study, code="01")
    participant = ParticipantFactory(site=site, identifier="BENCH-01-0001")
    user = UserFactory(username="bench-coordinator")
    membership_grant(user=user, study=study, role="coordinator", sites=[site], all_sites=False)
    small = _freezer(site, participant, "Small", 1, 0)
    big = _freezer(site, participant, "Big", boxes, 100)
    return user, small, big


def _freezer(site, participant, name: str, boxes: int, first_box: int) -> Freezer:
    freezer = Freezer.objects.create(site=site, name=name, temperature_c=-80)
    rack = Rack.objects.create(freezer=freezer, name="R1")
    for b in range(boxes):
        box = Box.objects.create(rack=rack, name=f"Box {b + 1:03d}", rows=10, cols=10)
        seq0 = (first_box + b) * 100
        specimens = Specimen.objects.bulk_create(
            Specimen(
                study=participant.study,
                participant=participant,
                type_code="plasma",
                seq=seq0 + n + 1,
                label_id=f"BENCH-PL{seq0 + n + 1:06d}",
                status=Specimen.Status.STORED,
            )
            for n in range(100)
        )
        Position.objects.bulk_create(
            Position(box=box, row=n // 10 + 1, col=n % 10 + 1, specimen=s) for n, s in enumerate(specimens)
        )
    return freezer


def timed_page(client: Client, url: str, runs: int) -> tuple[float, int, int]:
    best, queries, size = float("inf"), 0, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url, secure=True)  # as over TLS: DEBUG off redirects plain HTTP
            elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.status_code
        best, queries, size = min(best, elapsed), len(captured), len(response.content)
    return best, queries, size


def timed_rows(freezer: Freezer, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        rows = list(
            Position.objects.filter(box__rack__freezer=freezer).values_list(
                "box_id", "row", "col", "specimen__label_id", "specimen__type_code"
            )
        )
        best = min(best, time.perf_counter() - start)
    assert rows
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boxes", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="also print the rows for python -m benchmarks")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    setup_test_environment()
    user, small, big = build(args.boxes)
    client = Client()
    client.force_login(user)
    with production_pages():  # DEBUG off (python -m benchmarks) wants collected static files otherwise
        one_time, one_queries, _ = timed_page(client, reverse("biobank:freezer-detail", args=[small.pk]), args.runs)
        big_time, big_queries, size = timed_page(client, reverse("biobank:freezer-detail", args=[big.pk]), args.runs)
    rows_time = timed_rows(big, args.runs)
    cells = args.boxes * 100
    print(f"box map, 1 box of 100 specimens:       {one_queries:3d} queries, {one_time * 1000:8.1f} ms")
    print(
        f"box map, {args.boxes} boxes of 100 ({cells} cells): {big_queries:3d} queries, {big_time * 1000:8.1f} ms "
        f"server time, {size / 1024:.0f} KiB of HTML"
    )
    print(f"reference: the {cells} position rows alone as tuples: {rows_time * 1000:8.1f} ms")
    bounded = "yes" if big_queries == one_queries else "NO"
    print(f"queries bounded: {bounded}; page / rows = {big_time / rows_time:.1f}x")
    if args.json:
        words = f"biobank box map, {args.boxes} full 10x10 boxes"
        emit(
            [
                row(
                    "boxmap.ms",
                    f"{words}: server time",
                    big_time * 1000,
                    "ms",
                    reference="the rows alone",
                    reference_value=rows_time * 1000,
                ),
                row(
                    "boxmap.queries",
                    f"{words}: SQL queries",
                    big_queries,
                    "queries",
                    reference="one box",
                    reference_value=one_queries,
                ),
            ]
        )


if __name__ == "__main__":
    main()
