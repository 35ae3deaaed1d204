"""CRF save latency through the real write path: a coordinator's POST of a whole form to the CRF page
(workflows:response-edit), which cleans and scores the answers, stores the response and its revision, writes the
audit event and runs what a saved change causes (SDV reset, reassessment, criteria, adverse events, quality
rules), then redirects. Beside it, in the same run: the GET of the same CRF page (what showing the form costs).

The form is a scored, stored response of the study's first enrolled participant whose casebook is open; each POST
sends a fresh valid answer set (an unchanged form is not saved), completes the form and gives a reason, as a
change to a completed form needs. Django's test client, in-process; DEBUG off when the environment says so.

Run:  DATABASE_URL=postgres://... DJANGO_REQUIRE_2FA=0 .venv/bin/python benchmarks/crf_save.py [--study lbpb]
      [--repeat 20] [--json]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbpb.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.urls import reverse  # noqa: E402

from benchmarks.scoring import answer  # noqa: E402
from benchmarks.table import emit, row  # noqa: E402
from benchmarks.world import bench_user, client_for, median_ms, production_pages  # noqa: E402
from instruments.models import Response  # noqa: E402
from instruments.registry import instrument_for  # noqa: E402
from studies.models import Study  # noqa: E402

CANDIDATES = 200  # stored responses tried, in order, for one that takes a change


def _post_data(instrument, rng: random.Random, lock_version: int) -> dict:
    data: dict = {"lock_version": lock_version, "action": "complete", "reason": "benchmark: CRF save latency"}
    for item in instrument.items:
        if item.entered:
            data[item.code] = answer(item, rng)
    return data


def _saves(client, response: Response, rng: random.Random):
    """A function that POSTs a fresh answer set to ``response``'s CRF page and checks it was stored."""
    instrument = instrument_for(response.participant, response.instrument_code, response.definition_version)
    url = reverse("workflows:response-edit", args=[response.participant_id, response.visit_code, response.activity_key])
    url += f"?instance={response.instance}"

    def save() -> None:
        version = Response.objects.values_list("lock_version", flat=True).get(pk=response.pk)
        answer_ = client.post(url, _post_data(instrument, rng, version), secure=True)
        stored = Response.objects.values_list("lock_version", flat=True).get(pk=response.pk)
        assert answer_.status_code == 302 and stored == version + 1, (answer_.status_code, url)

    return url, save


def writable(client, study: Study, rng: random.Random):
    """The first stored, scored response whose CRF takes a change (an open casebook), with its save function."""
    candidates = (
        Response.objects.filter(participant__study=study, participant__identifier__gt="")
        .exclude(scores={})
        .select_related("participant")
        .order_by("participant_id", "pk")[:CANDIDATES]
    )
    for response in candidates:
        url, save = _saves(client, response, rng)
        try:
            save()
        except AssertionError:  # locked, signed or not scheduled: try the next one
            continue
        return response, url, save
    raise SystemExit(f"no writable CRF among the first {CANDIDATES} stored responses of {study.code}")


def measure(study_code: str, repeat: int) -> dict:
    study = Study.objects.get(code=study_code)
    client = client_for(bench_user(study, "coordinator"))
    rng = random.Random(2026)
    with production_pages():
        response, url, save = writable(client, study, rng)
        save_ms, save_queries = median_ms(save, repeat)
        page_ms, page_queries = median_ms(lambda: client.get(url, secure=True), repeat)
    return {
        "instrument": response.instrument_code,
        "save_ms": save_ms,
        "save_queries": save_queries,
        "page_ms": page_ms,
        "page_queries": page_queries,
    }


def rows(figures: dict) -> list[dict]:
    name = figures["instrument"]
    return [
        row(
            "crf_save.ms",
            f"CRF save ({name}): validate, score, store, audit, effects (median)",
            figures["save_ms"],
            "ms",
            reference="GET of the same CRF page",
            reference_value=figures["page_ms"],
        ),
        row("crf_save.queries", f"CRF save ({name}): SQL queries", figures["save_queries"], "queries"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", default="lbpb")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="also print the rows for python -m benchmarks")
    args = parser.parse_args()
    figures = measure(args.study, args.repeat)
    print(f"CRF save of {figures['instrument']}, {connection.vendor}, {args.repeat} saves")
    print(f"  POST (save + redirect) : median {figures['save_ms']:7.1f} ms, {figures['save_queries']} queries")
    print(f"  reference: GET the CRF : median {figures['page_ms']:7.1f} ms, {figures['page_queries']} queries")
    if args.json:
        emit(rows(figures))


if __name__ == "__main__":
    main()
