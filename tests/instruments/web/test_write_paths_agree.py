"""The CRF form, the CSV import and the API store exactly the same values and scores for the same answers."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from instruments.definitions import compute
from instruments.models import Response
from instruments.registry import get_instrument
from tests.imports import post_import

from .conftest import crf_url, form_post, full_answers


def import_file(rows: list[tuple[str, str, str, dict]]) -> SimpleUploadedFile:
    codes = sorted({code for *_key, answers in rows for code in answers})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["study_id", "visit", "activity", *codes])
    for identifier, visit, activity, answers in rows:
        writer.writerow([identifier, visit, activity, *[answers.get(code, "") for code in codes]])
    return SimpleUploadedFile("responses.csv", out.getvalue().encode("utf-8"), content_type="text/csv")


def api_answers(answers: dict) -> dict:
    """What a JSON client sends: numbers as numbers, lists as lists, text as text."""

    def typed(value):
        if isinstance(value, list):
            return [int(one) for one in value]
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value

    return {code: typed(value) for code, value in answers.items()}


@pytest.mark.parametrize("code", ["phq9", "sf36", "psqi"])
@pytest.mark.parametrize("seed", [1, 2])
def test_form_import_and_api_store_the_same_scores(client, alpha, coordinator, code, seed):
    instrument = get_instrument(code)
    answers = full_answers(instrument, seed)
    client.force_login(coordinator)

    assert client.post(crf_url(alpha.participant_a, activity=code), form_post(answers)).status_code == 302

    upload = import_file([(alpha.participant_a2.identifier, "baseline", code, answers)])
    page = post_import(
        client, reverse("workflows:response-import", args=["alpha"]), {"file": upload, "complete": "on", "reason": ""}
    )
    assert "1 form saved." in page.content.decode()

    api = client.post(
        reverse("workflows:api-response-list"),
        {
            "participant": alpha.participant_a3.pk,
            "visit_code": "baseline",
            "activity_key": code,
            "answers": api_answers(answers),
            "complete": True,
        },
        content_type="application/json",
    )
    assert api.status_code == 201, api.content

    stored = {row.participant_id: row for row in Response.objects.filter(activity_key=code)}
    form, imported, via_api = (stored[p.pk] for p in (alpha.participant_a, alpha.participant_a2, alpha.participant_a3))
    assert form.scores == imported.scores == via_api.scores == compute(instrument, form.values)
    assert form.values == imported.values == via_api.values
    assert [form.source, imported.source, via_api.source] == ["coordinator", "import", "api"]
    assert api.json()["scores"] == form.scores
