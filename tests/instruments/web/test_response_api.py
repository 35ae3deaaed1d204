"""The responses API: scoped lists, 404 outside scope, writes through response_submit with the same rules."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from instruments.models import Response
from workflows.services import response_submit


def list_url():
    return reverse("workflows:api-response-list")


ANSWERS = {f"phq9_{n}": 1 for n in range(1, 10)}


def detail(response_id):
    return reverse("workflows:api-response-detail", args=[response_id])


def stored(participant, user, answers=None):
    raw = {code: str(value) for code, value in (answers or ANSWERS).items()}
    return response_submit(
        participant=participant,
        visit_code="baseline",
        activity_key="phq9",
        instrument_code="phq9",
        raw=raw,
        complete=True,
        user=user,
        source="coordinator",
    ).response


def test_the_list_holds_only_responses_the_user_may_see(client, alpha, coordinator, make_persona):
    own = stored(alpha.participant_a, coordinator)
    stored(alpha.participant_b, coordinator)
    client.force_login(coordinator)
    listed = client.get(list_url()).json()["results"]
    assert [one["id"] for one in listed] == [own.pk]
    assert listed[0]["scores"] == {"total": 9, "band": "mild"}
    assert client.get(detail(own.pk)).json()["participant_identifier"] == "ALPHA-A-0001"
    assert client.get(list_url(), {"instrument_code": "sf36"}).json()["results"] == []


def test_other_sites_and_studies_are_404(client, alpha, coordinator):
    site_b = stored(alpha.participant_b, coordinator)
    client.force_login(coordinator)
    assert client.get(detail(site_b.pk)).status_code == 404
    refused = client.put(
        detail(site_b.pk), {"answers": ANSWERS, "lock_version": 1, "reason": "x"}, content_type="application/json"
    )
    assert refused.status_code == 404
    created = client.post(
        list_url(),
        {"participant": alpha.participant_c.pk, "visit_code": "baseline", "activity_key": "phq9", "answers": ANSWERS},
        content_type="application/json",
    )
    assert created.status_code == 404
    assert Response.objects.get().values["phq9_1"] == 1


def test_invalid_answers_are_400_with_bilingual_messages(client, alpha, coordinator):
    client.force_login(coordinator)
    answer = client.post(
        list_url(),
        {
            "participant": alpha.participant_a.pk,
            "visit_code": "baseline",
            "activity_key": "phq9",
            "answers": ANSWERS | {"phq9_2": 8},
            "complete": True,
        },
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert answer.json()["errors"]["phq9_2"] == {
        "en": "Choose one of the listed options.",
        "zh": "请从列出的选项中选择。",
    }
    assert not Response.objects.exists()


def test_an_update_needs_the_current_lock_version_and_a_reason_once_complete(client, alpha, coordinator):
    response = stored(alpha.participant_a, coordinator)
    client.force_login(coordinator)
    body = {"answers": ANSWERS | {"phq9_1": 3}, "complete": True, "lock_version": 0, "reason": "typo"}
    assert client.put(detail(response.pk), body, content_type="application/json").status_code == 409
    body["lock_version"], body["reason"] = 1, ""
    assert client.put(detail(response.pk), body, content_type="application/json").json()["errors"] == {
        "reason": {
            "en": "This form was complete: give a reason for the change.",
            "zh": "此表单已完成：请填写修改原因。",
        }
    }
    body["reason"] = "typo"
    updated = client.put(detail(response.pk), body, content_type="application/json")
    assert updated.status_code == 200 and updated.json()["scores"]["total"] == 11
    assert updated.json()["lock_version"] == 2 and Response.objects.get().source == "api"


def test_read_only_roles_cannot_write_through_the_api(client, alpha, coordinator, make_persona):
    response = stored(alpha.participant_a, coordinator)
    client.force_login(make_persona("monitor"))
    assert client.get(detail(response.pk)).status_code == 200
    body = {"answers": ANSWERS | {"phq9_1": 3}, "complete": True, "lock_version": 1, "reason": "x"}
    assert client.put(detail(response.pk), body, content_type="application/json").status_code == 403
    created = client.post(
        list_url(),
        {"participant": alpha.participant_a2.pk, "visit_code": "baseline", "activity_key": "phq9", "answers": ANSWERS},
        content_type="application/json",
    )
    assert created.status_code == 403
    assert Response.objects.count() == 1 and Response.objects.get().values["phq9_1"] == 1


def test_anonymous_clients_are_sent_to_log_in(client, alpha):
    assert client.get(list_url()).status_code == 302


def test_the_list_costs_the_same_queries_for_one_or_many_responses(
    client, alpha, coordinator, django_assert_num_queries
):
    stored(alpha.participant_a, coordinator)
    client.force_login(coordinator)
    client.get(list_url())
    with CaptureQueriesContext(connection) as one:
        client.get(list_url())
    stored(alpha.participant_a2, coordinator)
    stored(alpha.participant_a3, coordinator)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(list_url()).json()["count"] == 3


def test_the_list_is_paged_with_its_count_and_keeps_its_filters_across_pages(client, alpha, coordinator):
    for participant in (alpha.participant_a, alpha.participant_a2, alpha.participant_a3):
        stored(participant, coordinator)
    client.force_login(coordinator)
    first = client.get(list_url(), {"page_size": 2, "instrument_code": "phq9"}).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["previous"] is None
    assert "instrument_code=phq9" in first["next"] and "page=2" in first["next"]
    second = client.get(first["next"]).json()
    assert [row["id"] for row in first["results"] + second["results"]] == sorted(
        Response.objects.values_list("pk", flat=True)
    )
    assert client.get(list_url(), {"page": "nosuch"}).status_code == 404  # DRF's answer to a page that is not one
