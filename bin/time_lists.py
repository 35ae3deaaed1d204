"""Server time, query count and size of the pages that list what grows with a study (issue 19), in-process
through Django's test client with DEBUG off, on the database the settings point to:

    DATABASE_URL=postgres://... manage.py generate_study --study lbpb --participants 10000 --seed 1
    DATABASE_URL=postgres://... DJANGO_REQUIRE_2FA=0 .venv/bin/python bin/time_lists.py [--study lbpb] [--repeat 3]

It signs in as two users it makes if missing (``lists-pi``: PI at every site; ``lists-coordinator``: coordinator
at every site), requests each page once to warm the process caches, then ``--repeat`` times, and prints the
median and best time, the queries of one request and the bytes of the answer.
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
from accounts.services import membership_grant  # noqa: E402
from participants.models import Participant  # noqa: E402
from studies.models import Study  # noqa: E402


def client_for(username: str, role: str, study) -> Client:
    user, _ = User.objects.get_or_create(username=username)
    membership_grant(user=user, study=study, role=role, all_sites=True)
    client = Client()
    client.force_login(user)
    return client


def timed(client: Client, url: str, repeat: int) -> list[tuple[float, int, int]]:
    """(milliseconds, queries, bytes) of ``repeat`` requests after a warming one."""
    assert client.get(url, secure=True).status_code == 200, url
    runs = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url, secure=True)
            size = len(b"".join(response) if response.streaming else response.content)
            runs.append(((time.perf_counter() - start) * 1000, len(queries), size))
    return runs


def pages(study: str) -> list[tuple[str, str, str]]:
    """(name, user, url)."""
    return [
        ("home worklist", "coordinator", reverse("home")),
        ("due this week", "coordinator", reverse("participants:visit-due")),
        ("screening log", "pi", reverse("participants:screening-log", args=[study])),
        ("monitoring dashboard", "pi", reverse("monitoring:study-dashboard", args=[study])),
        ("data queries", "pi", reverse("queries:query-list", args=[study])),
        ("CONSORT page", "pi", reverse("reports:consort-detail", args=[study])),
        ("CONSORT svg", "pi", reverse("reports:consort-svg", args=[study])),
        ("CONSORT csv", "pi", reverse("reports:consort-csv", args=[study])),
        ("CONSORT json", "pi", reverse("reports:consort-json", args=[study])),
        # One instrument's responses (9,401 diet questionnaires at 10,000 participants): unpaged, the whole
        # study's 1.28 M responses would be one answer of about a gigabyte.
        (
            "responses API (session)",
            "pi",
            reverse("workflows:api-response-list") + f"?study={study}&instrument_code=diet_ffq",
        ),
        ("responses API v1", "pi", reverse("api:response-list") + "?instrument_code=diet_ffq"),
        ("participant list (ref.)", "pi", reverse("participants:participant-list", args=[study])),
    ]


def run(args) -> None:
    study = Study.objects.get(code=args.study)
    clients = {role: client_for(f"lists-{role}", role, study) for role in ("pi", "coordinator")}
    count = Participant.objects.filter(study=study).count()
    print(f"database: {connection.vendor} {settings.DATABASES['default'].get('NAME')}; {count} participants")
    print(f"{'page':<26} {'median ms':>10} {'best ms':>9} {'queries':>8} {'bytes':>10}")
    for name, role, url in pages(args.study):
        if args.only not in name:
            continue
        runs = timed(clients[role], url, args.repeat)
        times, (_ms, queries, size) = [run[0] for run in runs], runs[-1]
        print(f"{name:<26} {statistics.median(times):>10.1f} {min(times):>9.1f} {queries:>8} {size:>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--study", default="lbpb")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="time only the pages whose name contains this")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES=plain):
        run(args)


if __name__ == "__main__":
    main()
