"""Calculated fields of a study's own REDCap dictionary (tests/fixtures/study_files/recovery_dictionary.csv):
computed on save whatever the path, stored with the scores, shown on the CRF, returned by the API, and read
by data-quality rules."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from instruments.models import Response
from instruments.uploads import InstrumentFile
from queries.models import Query
from studies.protocol import ProtocolError
from tests.imports import post_import
from tests.protocol_text import protocol_head
from workflows.services import protocol_apply, response_submit
from workflows.study_setup import study_instruments_apply

from .conftest import crf_url, form_post

DICTIONARY = Path(__file__).resolve().parents[2] / "fixtures" / "study_files" / "recovery_dictionary.csv"
VISITS = """visits:
  - code: baseline
    label: {en: "Baseline", zh: "基线"}
    anchor: enrolment
    offset_days: 0
    window_before: 0
    window_after: 7
    activities:
      instruments: [recovery, grip_strength, six_mwt, nrs]
"""
RULE = """quality_rules:
  - {code: recovery_low, kind: range, instrument: recovery, score: recovery_mean, min: 1,
     message: {en: "Recovery score below 1", zh: "恢复评分低于1"}}
"""


@pytest.fixture
def study_files(world):
    """The dictionary's four forms stored as study alpha's own instruments (English only, as REDCap exports it),
    then alpha's protocol naming them, loaded as the files are."""
    dictionary = InstrumentFile(DICTIONARY.name, DICTIONARY.read_text("utf-8-sig"))
    study_instruments_apply(study_code=world.study.code, files=[dictionary], languages=("en",))
    protocol_apply(text=protocol_head() + VISITS + RULE, filename="recovery.yaml", study=world.study)
    return world


@pytest.fixture
def coordinator(study_files, make_persona):
    return make_persona("coordinator")


def computed_on_page(html: str, code: str) -> str:
    found = re.search(rf'<output[^>]*id="id_{code}"[^>]*>(.*?)</output>', html, re.S)
    assert found, f"no computed value for {code}"
    return found.group(1).strip()


def test_the_crf_shows_the_computed_mean_after_a_save_and_not_the_equation(client, study_files, coordinator):
    client.force_login(coordinator)
    url = crf_url(study_files.participant_a, "baseline", "recovery")
    assert computed_on_page(client.get(url).content.decode(), "recovery_mean") == "—"  # nothing saved yet
    answers = {"recovery_1": "1", "recovery_2": "2", "recovery_3": "3", "recovery_4": "2"}  # item 5 unanswered
    saved = client.post(url, form_post(answers, action="save"))
    assert saved.status_code == 302
    html = client.get(url).content.decode()
    assert computed_on_page(html, "recovery_mean") == "2"  # (1 + 2 + 3 + 2) / 4, four answered
    assert "[recovery_1]" not in html and "mean(recovery_1" not in html
    assert 'name="recovery_mean"' not in html  # read-only: not a field the form sends
    stored = Response.objects.get(activity_key="recovery")
    assert stored.scores == {"recovery_mean": 2} and stored.scoring_version == "expr1"
    assert "recovery_mean" not in stored.values


def test_with_fewer_than_four_answers_the_mean_is_blank(client, study_files, coordinator):
    client.force_login(coordinator)
    url = crf_url(study_files.participant_a, "baseline", "recovery")
    client.post(url, form_post({"recovery_1": "4", "recovery_2": "4", "recovery_3": "4"}, action="save"))
    assert Response.objects.get().scores == {"recovery_mean": None}
    assert computed_on_page(client.get(url).content.decode(), "recovery_mean") == "—"


def test_an_edit_recomputes_the_value(client, study_files, coordinator):
    client.force_login(coordinator)
    url = crf_url(study_files.participant_a, "baseline", "grip_strength")
    client.post(url, form_post({"grip_1": "30.5", "grip_2": "32.1", "grip_3": "31"}, action="save"))
    client.post(url, form_post({"grip_1": "30.5", "grip_2": "29", "grip_3": "31"}, action="save", lock_version=1))
    assert Response.objects.get().scores == {"grip_best": 31}
    assert computed_on_page(client.get(url).content.decode(), "grip_best") == "31"


def test_the_api_computes_on_write_and_returns_the_value(client, study_files, coordinator):
    client.force_login(coordinator)
    body = {
        "participant": study_files.participant_a.pk,
        "visit_code": "baseline",
        "activity_key": "grip_strength",
        "answers": {"grip_1": 30.5, "grip_2": 32.1, "grip_3": 31},
        "complete": True,
    }
    created = client.post(reverse("workflows:api-response-list"), body, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert created.json()["scores"] == {"grip_best": 32.1}
    read = client.get(reverse("workflows:api-response-detail", args=[created.json()["id"]])).json()
    assert read["scores"] == {"grip_best": 32.1} and read["scoring_version"] == "expr1"


def test_a_quality_rule_reads_a_calculated_score(study_files, coordinator):
    answers = {f"recovery_{n}": "0" for n in range(1, 6)} | {"recovery_5": "1"}  # mean 0.2, below 1
    result = response_submit(
        participant=study_files.participant_a,
        visit_code="baseline",
        activity_key="recovery",
        instrument_code="recovery",
        raw=answers,
        complete=True,
        user=coordinator,
        source=Response.Source.COORDINATOR,
    )
    assert result.ok and result.response.scores == {"recovery_mean": 0.2}
    query = Query.objects.get(origin=Query.Origin.RULE)
    assert query.item_code == "recovery_mean" and query.status == Query.Status.OPEN


def test_a_rule_naming_a_score_the_form_lacks_is_refused_at_load(study_files):
    wrong = RULE.replace("score: recovery_mean", "score: recovery_total")
    with pytest.raises(ProtocolError) as refused:
        protocol_apply(text=protocol_head() + VISITS + wrong, filename="recovery.yaml", study=study_files.study)
    assert "instrument 'recovery' has no score 'recovery_total'" in str(refused.value)


def test_the_definition_page_shows_the_translated_expression(client, study_files, coordinator):
    client.force_login(coordinator)
    html = client.get(
        reverse("instruments:instrument-detail", args=["grip_strength", "1.0"]) + f"?study={study_files.study.code}"
    ).content.decode()
    assert '<code class="small" data-expression>= max(grip_1, grip_2, grip_3)</code>' in html


def test_a_csv_import_computes_the_values_too(client, study_files, coordinator):
    client.force_login(coordinator)
    text = (
        "study_id,visit,activity,grip_1,grip_2,grip_3\n"
        + f"{study_files.participant_a.identifier},baseline,grip_strength,28,30.5,29\n"
    )
    upload = SimpleUploadedFile("import.csv", text.encode(), content_type="text/csv")
    html = post_import(
        client, reverse("workflows:response-import", args=[study_files.study.code]), {"file": upload, "complete": "on"}
    ).content.decode()
    assert "1 form saved." in html
    stored = Response.objects.get()
    assert stored.source == "import" and stored.scores == {"grip_best": 30.5}
