"""Server time of the study dashboard, the record status grid's first page and the participant list, on the
database the settings point to (PostgreSQL for the figures that count), beside references measured in the same run.

Generate the study first (the figures are for what is there; the script prints the participant count):

    DATABASE_URL=postgres://... manage.py load_demo
    DATABASE_URL=postgres://... manage.py generate_study --study lbpb --participants 10000 --replace
    DATABASE_URL=postgres://... DJANGO_REQUIRE_2FA=0 .venv/bin/python benchmarks/dashboards.py [--study lbpb]
        [--user pi] [--repeat 5]

Each page is requested through Django's test client as ``--user`` (the demo PI: every site), once to warm the
process caches (protocol, instrument library), then ``--repeat`` times; the median and the best are printed with
the page's query count. References: the home page (the smallest signed-in page) and one ``SELECT 1`` round trip.
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
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import User  # noqa: E402
from participants.models import Participant  # noqa: E402

TARGETS_MS = {"dashboard": 500, "status grid (page 1)": 300, "participant list": 200}


def timed(client: Client, url: str, repeat: int) -> tuple[list[float], int, int]:
    response = client.get(url, secure=True)  # warm
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url, secure=True)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, secure=True)
    return times, len(queries), response.status_code


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
    parser.add_argument("--user", default="pi")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Production settings (DEBUG off) want collected static files; the plain storage serves the source tree instead.
    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES=plain):
        run(args)


def run(args) -> None:
    client = Client()
    client.force_login(User.objects.get(username=args.user))
    count = Participant.objects.filter(study__code=args.study).count()
    database = settings.DATABASES["default"].get("NAME")
    print(f"database: {connection.vendor} {database}; study {args.study}: {count} participants")
    pages = {
        "dashboard": reverse("reports:study-dashboard", args=[args.study]),
        "status grid (page 1)": reverse("reports:status-grid", args=[args.study]),
        "participant list": reverse("participants:participant-list", args=[args.study]),
        "reference: home page": reverse("home"),
    }
    print(f"{'page':<24} {'median ms':>10} {'best ms':>9} {'queries':>8} {'target ms':>10}")
    for name, url in pages.items():
        times, queries, _status = timed(client, url, args.repeat)
        target = TARGETS_MS.get(name)
        verdict = "" if target is None else ("  ok" if statistics.median(times) <= target else "  OVER")
        print(
            f"{name:<24} {statistics.median(times):>10.1f} {min(times):>9.1f} {queries:>8} "
            f"{target if target else '':>10}{verdict}"
        )
    ones = select_one(args.repeat * 20)
    print(f"{'reference: SELECT 1':<24} {statistics.median(ones):>10.2f} {min(ones):>9.2f} {1:>8}")


if __name__ == "__main__":
    main()
