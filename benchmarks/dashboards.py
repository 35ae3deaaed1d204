"""Server time of the study dashboard, the record status grid's first page, the participant list and one
participant's page, on the database the settings point to (PostgreSQL for the figures that count), beside
references measured in the same run.

Generate the study first (the figures are for what is there; the script prints the participant count):

    DATABASE_URL=postgres://... manage.py generate_study --study lbpb --participants 10000 --replace
    DATABASE_URL=postgres://... DJANGO_REQUIRE_2FA=0 .venv/bin/python benchmarks/dashboards.py [--study lbpb]
        [--user USERNAME] [--repeat 5] [--json]

Each page is requested through Django's test client as ``--user`` (by default ``bench-pi``, made once as the
study's PI at every site: benchmarks/world.py), once to warm the
process caches (protocol, instrument library), then ``--repeat`` times; the median is printed with
the page's query count. References: the home page (the smallest signed-in page) and one ``SELECT 1`` round trip.
The participant page is that of the study's first enrolled participant (a whole generated course).
Targets from issue 15: dashboard 500 ms, grid first page 300 ms, participant list 200 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbpb.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import User  # noqa: E402
from benchmarks.table import emit, row  # noqa: E402
from benchmarks.world import bench_user, client_for, median_ms, production_pages  # noqa: E402
from participants.models import Participant  # noqa: E402
from studies.models import Study  # noqa: E402

TARGETS_MS = {"dashboard": 500, "status grid (page 1)": 300, "participant list": 200}
KEYS = {
    "dashboard": "pages.dashboard",
    "status grid (page 1)": "pages.status_grid",
    "participant list": "pages.participant_list",
    "participant page": "pages.participant_page",
}


def page(client, url: str):
    def get() -> None:
        response = client.get(url, secure=True)
        assert response.status_code == 200, (url, response.status_code)

    return get


def select_one(repeat: int) -> list[float]:
    times = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            start = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--study", default="lbpb")
    parser.add_argument("--user", default="", help="an existing user (default: bench-pi, made as the study's PI)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="also print the rows for python -m benchmarks")
    args = parser.parse_args()
    with production_pages():
        run(args)


def pages(study: str) -> dict[str, str]:
    first = Participant.objects.filter(study__code=study).exclude(identifier="").order_by("pk").first()
    assert first is not None, f"study {study} has no enrolled participant"
    return {
        "dashboard": reverse("reports:study-dashboard", args=[study]),
        "status grid (page 1)": reverse("reports:status-grid", args=[study]),
        "participant list": reverse("participants:participant-list", args=[study]),
        "participant page": reverse("participants:participant-detail", args=[first.pk]),
        "reference: home page": reverse("home"),
    }


def run(args) -> None:
    user = User.objects.get(username=args.user) if args.user else bench_user(Study.objects.get(code=args.study), "pi")
    client = client_for(user)
    count = Participant.objects.filter(study__code=args.study).count()
    database = settings.DATABASES["default"].get("NAME")
    print(f"database: {connection.vendor} {database}; study {args.study}: {count} participants; DEBUG {settings.DEBUG}")
    print(f"{'page':<24} {'median ms':>10} {'queries':>8} {'target ms':>10}")
    measured = {}
    for name, url in pages(args.study).items():
        median, queries = measured[name] = median_ms(page(client, url), args.repeat)
        target = TARGETS_MS.get(name)
        verdict = "" if target is None else ("  ok" if median <= target else "  OVER")
        print(f"{name:<24} {median:>10.1f} {queries:>8} {target if target else '':>10}{verdict}")
    ones = select_one(args.repeat * 20)
    print(f"{'reference: SELECT 1':<24} {statistics.median(ones):>10.2f} {1:>8}")
    if args.json:
        emit(_rows(measured))


def _rows(measured: dict[str, tuple[float, int]]) -> list[dict]:
    home, _queries = measured["reference: home page"]
    rows = []
    for name, key in KEYS.items():
        median, queries = measured[name]
        rows.append(
            row(f"{key}.ms", f"{name}: server time (median)", median, "ms", reference="home page", reference_value=home)
        )
        rows.append(row(f"{key}.queries", f"{name}: SQL queries", queries, "queries"))
    return rows


if __name__ == "__main__":
    main()
