"""A form that is not repeating has exactly one entry on every write path, and answers outside the bounds of
``core.validation`` (NUL bytes, huge numbers, far dates, out-of-range instances) are refused, never a 500."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from instruments.models import Response
from instruments.registry import get_instrument
from tests.imports import post_import
from workflows.services import response_submit

from .conftest import crf_url, form_post, full_answers


def import_upload(header: list[str], row: list[str]) -> SimpleUploadedFile:
    out = io.StringIO()
    csv.writer(out).writerows([header, row])
    return SimpleUploadedFile("responses.csv", out.getvalue().encode(), content_type="text/csv")


def test_the_page_refuses_a_second_entry_of_a_form_that_is_not_repeating(client, alpha, coordinator):
    client.force_login(coordinator)
    page = client.post(crf_url(alpha.participant_a) + "?instance=2", form_post(full_answers(get_instrument("phq9"))))
    assert page.status_code == 200
    assert "not repeating" in page.content.decode()
    assert not Response.objects.exists()


def test_the_api_refuses_a_second_entry_of_a_form_that_is_not_repeating(client, alpha, coordinator):
    client.force_login(coordinator)
    body = {
        "participant": alpha.participant_a.pk,
        "visit_code": "baseline",
        "activity_key": "phq9",
        "answers": full_answers(get_instrument("phq9")),
        "instance": 2,
    }
    api = client.post(reverse("workflows:api-response-list"), body, content_type="application/json")
    assert api.status_code == 400
    assert "instance" in api.json()["errors"]
    too_big = client.post(
        reverse("workflows:api-response-list"), {**body, "instance": 2**31}, content_type="application/json"
    )
    assert too_big.status_code == 400
    assert not Response.objects.exists()


def test_the_import_refuses_a_second_entry_of_a_form_that_is_not_repeating(client, alpha, coordinator):
    client.force_login(coordinator)
    answers = full_answers(get_instrument("phq9"))
    header = ["study_id", "visit", "activity", "instance", *answers]
    row = [alpha.participant_a.identifier, "baseline", "phq9", "2", *answers.values()]
    page = post_import(
        client,
        reverse("workflows:response-import", args=["alpha"]),
        {"file": import_upload(header, row), "complete": "on", "reason": ""},
    )
    assert page.status_code == 200
    assert "not repeating" in page.content.decode()
    assert not Response.objects.exists()


@pytest.mark.parametrize("instance", ["2147483648", "9" * 5000, "0"], ids=["2^31", "5000-digits", "zero"])
def test_the_import_refuses_an_instance_out_of_range_without_a_500(client, alpha, coordinator, instance):
    client.force_login(coordinator)
    answers = full_answers(get_instrument("sleep_diary"))
    header = ["study_id", "visit", "activity", "instance", *answers]
    row = [alpha.participant_a.identifier, "baseline", "sleep_diary", instance, *answers.values()]
    page = post_import(
        client,
        reverse("workflows:response-import", args=["alpha"]),
        {"file": import_upload(header, row), "complete": "on", "reason": ""},
    )
    assert page.status_code == 200
    assert "Instance must be a whole number" in page.content.decode()
    assert not Response.objects.exists()


def test_a_repeating_form_still_takes_a_second_entry(alpha, coordinator):
    answers = full_answers(get_instrument("sleep_diary"))
    for instance in (1, 2):
        result = response_submit(
            participant=alpha.participant_a,
            visit_code="baseline",
            activity_key="sleep_diary",
            instrument_code="sleep_diary",
            raw=answers,
            complete=True,
            user=coordinator,
            source=Response.Source.API,
            instance=instance,
        )
        assert result.ok, result.errors
    assert Response.objects.count() == 2


def test_the_service_refuses_an_instance_beyond_the_column_before_any_query(alpha, coordinator):
    result = response_submit(
        participant=alpha.participant_a,
        visit_code="baseline",
        activity_key="sleep_diary",
        instrument_code="sleep_diary",
        raw={},
        complete=False,
        user=coordinator,
        source=Response.Source.API,
        instance=2**70,
    )
    assert "instance" in result.errors and not Response.objects.exists()


@pytest.mark.parametrize(
    ("value", "problem"),
    [("1\x00", "control characters"), ("9" * 5000, "200 characters"), ("1" * 25, "too many digits")],
    ids=["nul", "5000-digits", "25-digits"],
)
def test_the_api_refuses_hostile_numbers_without_a_500(client, alpha, coordinator, value, problem):
    client.force_login(coordinator)
    answers = {**full_answers(get_instrument("phq9")), "phq9_1": value}
    body = {"participant": alpha.participant_a.pk, "visit_code": "baseline", "activity_key": "phq9", "answers": answers}
    api = client.post(reverse("workflows:api-response-list"), body, content_type="application/json")
    assert api.status_code == 400
    assert problem in str(api.json())
    assert not Response.objects.exists()
