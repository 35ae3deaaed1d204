"""API writes: an update needs the lock_version the client read (409 without it); PATCH changes only what it sends."""

from django.urls import reverse

from instruments.models import Response

from .test_response_api import ANSWERS, detail, stored


def test_a_put_without_lock_version_is_409_with_a_clear_message_and_changes_nothing(client, alpha, coordinator):
    response = stored(alpha.participant_a, coordinator)
    client.force_login(coordinator)
    body = {"answers": ANSWERS | {"phq9_1": 3}, "complete": True, "reason": "typo"}
    refused = client.put(detail(response.pk), body, content_type="application/json")
    assert refused.status_code == 409
    message = refused.json()["errors"]["lock_version"]
    assert "lock_version" in message["en"] and "Nothing was saved" in message["en"] and "未保存" in message["zh"]
    assert (
        client.put(detail(response.pk), body | {"lock_version": None}, content_type="application/json").status_code
        == 409
    )
    response.refresh_from_db()
    assert response.lock_version == 1 and response.values["phq9_1"] == 1


def test_a_post_onto_an_existing_response_needs_the_lock_version_too(client, alpha, coordinator):
    stored(alpha.participant_a, coordinator)
    client.force_login(coordinator)
    body = {
        "participant": alpha.participant_a.pk,
        "visit_code": "baseline",
        "activity_key": "phq9",
        "answers": ANSWERS | {"phq9_2": 3},
        "complete": True,
        "reason": "typo",
    }
    url = reverse("workflows:api-response-list")
    assert client.post(url, body, content_type="application/json").status_code == 409
    assert client.post(url, body | {"lock_version": 1}, content_type="application/json").status_code == 200
    assert Response.objects.get().values["phq9_2"] == 3


def test_a_patch_changes_only_the_answers_it_sends(client, alpha, coordinator):
    response = stored(alpha.participant_a, coordinator, answers=ANSWERS | {"phq9_9": 2})
    client.force_login(coordinator)
    patched = client.patch(
        detail(response.pk),
        {"answers": {"phq9_1": 3}, "lock_version": 1, "reason": "typo"},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.json()
    data = patched.json()
    kept = {code: data["values"][code] for code in ANSWERS}
    assert kept == {**dict.fromkeys(ANSWERS, 1), "phq9_1": 3, "phq9_9": 2}
    assert data["scores"]["total"] == 12 and data["status"] == "complete" and data["lock_version"] == 2
    assert Response.objects.get().source == "api"


def test_a_patch_keeps_the_rules_of_a_put(client, alpha, coordinator):
    response = stored(alpha.participant_a, coordinator)
    client.force_login(coordinator)
    body = {"answers": {"phq9_1": 3}, "reason": "typo"}
    assert client.patch(detail(response.pk), body, content_type="application/json").status_code == 409
    stale = client.patch(detail(response.pk), body | {"lock_version": 0}, content_type="application/json")
    assert stale.status_code == 409
    no_reason = client.patch(
        detail(response.pk), {"answers": {"phq9_1": 3}, "lock_version": 1}, content_type="application/json"
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    bad = client.patch(
        detail(response.pk), body | {"lock_version": 1, "answers": {"phq9_1": 9}}, content_type="application/json"
    )
    assert bad.status_code == 400
    response.refresh_from_db()
    assert response.lock_version == 1 and response.values["phq9_1"] == 1
