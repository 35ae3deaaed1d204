"""Monitoring pages through HTTP: roles, locks on the CRF page and the API, signatures, dashboard, Chinese."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from instruments.models import Response
from monitoring import services
from monitoring.models import Signature, SourceVerification
from participants import services as participant_services
from participants.models import Lock
from tests.factories import PASSWORD, ParticipantFactory

from .conftest import ANSWERS, casebook_url, crf_url, persona, sign_request, submit

REVIEWED = {"visit-lock", "response-lock", "participant-lock", "casebook-sign"}  # workflows.review_views
CONFIRMED = {"confirmed": "1"}


def url(name, *args):
    return reverse(f"{'workflows' if name in REVIEWED else 'monitoring'}:{name}", args=args)


def test_a_monitor_verifies_and_may_lock_but_cannot_sign(client, form, people):
    client.force_login(people["monitor"])
    page = client.get(casebook_url(form.participant)).content.decode()
    assert "Verify" in page and "Lock form" in page
    refused = client.post(url("response-lock", form.pk), CONFIRMED)  # not verified yet: the review gate refuses
    assert refused.status_code == 400 and "still needs source data verification" in refused.content.decode()
    assert "To go ahead anyway" not in refused.content.decode()  # a monitor may not override
    assert (
        client.post(
            url("casebook-sign", form.participant.pk), {"meaning": "reviewed", "password": PASSWORD}
        ).status_code
        == 403
    )
    answer = client.post(url("response-verify", form.pk))
    assert answer.status_code == 302
    assert SourceVerification.objects.get().verified_by == people["monitor"]
    assert 'data-sdv="verified"' in client.get(casebook_url(form.participant)).content.decode()
    assert not Lock.objects.exists() and not Signature.objects.exists()
    assert client.post(url("response-lock", form.pk), CONFIRMED).status_code == 302  # verified: it locks
    assert Lock.objects.get().locked_by == people["monitor"]


@pytest.mark.parametrize("role", ["coordinator", "pi", "admin", "unblinded_statistician"])
def test_roles_other_than_data_manager_and_monitor_cannot_lock(client, form, people, role):
    client.force_login(people[role])
    assert client.post(url("visit-lock", form.participant.pk, "baseline")).status_code == 403
    assert client.post(url("response-lock", form.pk)).status_code == 403
    assert client.post(url("response-verify", form.pk)).status_code == 403
    assert not Lock.objects.exists() and not SourceVerification.objects.exists()


def test_a_coordinator_cannot_sign(client, form, people):
    client.force_login(people["coordinator"])
    assert "Only the PI signs casebooks." in client.get(url("casebook-sign", form.participant.pk)).content.decode()
    assert (
        client.post(
            url("casebook-sign", form.participant.pk), {"meaning": "reviewed", "password": PASSWORD}
        ).status_code
        == 403
    )
    assert not Signature.objects.exists()


def test_a_data_manager_locks_a_visit_and_the_crf_page_refuses_a_change(client, form, people):
    services.response_verify(response=form, user=people["monitor"])
    client.force_login(people["data_manager"])
    assert client.post(url("visit-lock", form.participant.pk, "baseline"), {"reason": "cleaned"}).status_code == 200
    assert not Lock.objects.exists()  # the first POST only shows what the lock covers
    answer = client.post(url("visit-lock", form.participant.pk, "baseline"), {"reason": "cleaned", **CONFIRMED})
    assert answer.status_code == 302
    lock = Lock.objects.get()
    assert (lock.scope, lock.visit_code, lock.reason, lock.locked_by) == (
        "visit",
        "baseline",
        "cleaned",
        people["data_manager"],
    )
    client.force_login(people["coordinator"])
    changed = {
        **ANSWERS,
        "phq9_1": "3",
        "action": "complete",
        "lock_version": form.lock_version,
        "reason": "late change",
    }
    page = client.post(crf_url(form.participant), changed)
    assert page.status_code == 200
    assert "This visit is locked by a data manager" in page.content.decode()
    form.refresh_from_db()
    assert form.values["phq9_1"] == 1 and form.lock_version == 1


def test_the_api_refuses_a_locked_form_with_423(client, form, people):
    participant_services.lock_create(
        participant=form.participant, scope="form", response=form, user=people["data_manager"]
    )
    client.force_login(people["coordinator"])
    answer = client.put(
        reverse("workflows:api-response-detail", args=[form.pk]),
        {"answers": {**ANSWERS, "phq9_1": 3}, "lock_version": 1, "complete": True, "reason": "x"},
        content_type="application/json",
    )
    assert answer.status_code == 423
    assert "locked" in answer.json()["errors"]["form"]["en"]
    form.refresh_from_db()
    assert form.values["phq9_1"] == 1


def test_unlock_needs_a_reason_shown_next_to_the_field_and_then_restores_writing(client, form, people):
    lock = participant_services.lock_create(
        participant=form.participant, scope="participant", user=people["data_manager"]
    )
    client.force_login(people["data_manager"])
    page = client.post(url("lock-release", lock.pk), {"reason": ""})
    assert page.status_code == 200
    assert "Give the reason for unlocking." in page.content.decode() and "is-invalid" in page.content.decode()
    lock.refresh_from_db()
    assert lock.unlocked_at is None
    assert client.post(url("lock-release", lock.pk), {"reason": "query resolved"}).status_code == 302
    lock.refresh_from_db()
    assert lock.unlocked_by == people["data_manager"] and lock.unlock_reason == "query resolved"
    assert submit(form.participant, people["coordinator"], answers={**ANSWERS, "phq9_2": "0"}, reason="x").changed


def test_a_second_lock_of_the_same_visit_is_refused_with_a_message(client, form, people):
    services.response_verify(response=form, user=people["monitor"])
    client.force_login(people["data_manager"])
    client.post(url("visit-lock", form.participant.pk, "baseline"), CONFIRMED)
    page = client.post(url("visit-lock", form.participant.pk, "baseline"), {"reason": "again", **CONFIRMED})
    assert page.status_code == 400 and "already locked" in page.content.decode()
    assert Lock.objects.count() == 1


def test_a_wrong_password_shows_an_error_and_stores_nothing(client, form, people):
    services.response_verify(response=form, user=people["monitor"])
    client.force_login(people["pi"])
    page = client.post(url("casebook-sign", form.participant.pk), {"meaning": "reviewed", "password": "nope"})
    assert page.status_code == 200
    content = page.content.decode()
    assert "The password is not correct. Nothing was signed." in content
    assert 'value="reviewed" checked' in content
    assert not Signature.objects.exists()


def test_the_pi_signs_and_a_later_change_shows_the_voided_signature(client, form, people):
    services.response_verify(response=form, user=people["monitor"])
    client.force_login(people["pi"])
    answer = client.post(url("casebook-sign", form.participant.pk), {"meaning": "reviewed", "password": PASSWORD})
    assert answer.status_code == 302
    signature = Signature.objects.get()
    assert signature.signer == people["pi"] and signature.meaning == "reviewed"
    page = client.get(url("casebook-sign", form.participant.pk)).content.decode()
    assert "I have reviewed the data of this casebook" in page and "Valid" in page
    assert "Casebook signed by" in client.get(casebook_url(form.participant)).content.decode()

    submit(form.participant, people["coordinator"], answers={**ANSWERS, "phq9_3": "2"}, reason="monitor query 7")
    casebook = client.get(casebook_url(form.participant)).content.decode()
    assert 'id="signature-voided"' in casebook and "monitor query 7" in casebook
    assert "Voided" in client.get(url("casebook-sign", form.participant.pk)).content.decode()
    assert 'id="sign-form"' in client.get(url("casebook-sign", form.participant.pk)).content.decode()


def test_the_dashboard_counts_per_site_within_the_users_scope(client, alpha, form, people):
    services.response_verify(response=form, user=people["monitor"])
    participant_services.lock_create(participant=form.participant, scope="participant", user=people["data_manager"])
    services.casebook_sign(
        participant=form.participant, user=people["pi"], password=PASSWORD, meaning="reviewed", request=sign_request()
    )
    for number in range(2, 5):
        submit(ParticipantFactory(site=alpha.site_a, identifier=f"ALPHA-A-000{number}"), people["coordinator"])
    submit(alpha.participant_b, people["coordinator"])
    monitor_all = persona(alpha, "monitor", all_sites=True)
    client.force_login(people["monitor"])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url("study-dashboard", alpha.study.code)).content.decode()
    submit(ParticipantFactory(site=alpha.site_a, identifier="ALPHA-A-0009"), people["coordinator"])
    with CaptureQueriesContext(connection) as more:
        client.get(url("study-dashboard", alpha.study.code))
    # No query per participant or site: each count of the sites is one grouped query, the participants paged.
    assert len(more) == len(queries) <= 20
    assert "ALPHA-A-0004" in page and "ALPHA-B-0001" not in page
    assert '<td class="text-end" data-count="complete">4</td>' in page
    assert '<td class="text-end" data-count="verified">1</td>' in page
    assert '<td class="text-end" data-count="locked">1</td>' in page
    assert '<td class="text-end" data-count="signed">1</td>' in page
    client.force_login(monitor_all)
    assert "ALPHA-B-0001" in client.get(url("study-dashboard", alpha.study.code)).content.decode()


def test_the_dashboard_is_for_monitoring_roles_only(client, alpha, people):
    client.force_login(people["coordinator"])
    assert client.get(url("study-dashboard", alpha.study.code)).status_code == 403
    for role in ("monitor", "data_manager", "pi", "admin"):
        client.force_login(people[role])
        assert client.get(url("study-dashboard", alpha.study.code)).status_code == 200


def test_the_casebook_shows_sdv_progress_per_visit_and_changed_forms(client, form, people):
    second = submit(form.participant, people["coordinator"], activity="phq9_family").response
    services.response_verify(response=form, user=people["monitor"])
    services.response_verify(response=second, user=people["monitor"])
    submit(
        form.participant,
        people["coordinator"],
        activity="phq9_family",
        answers={**ANSWERS, "phq9_9": "0"},
        reason="family re-asked",
    )
    client.force_login(people["monitor"])
    page = client.get(casebook_url(form.participant)).content.decode()
    assert "Verified 1 of 2 complete forms" in page
    assert "Changed since verification" in page


def test_the_casebook_in_chinese(client, form, people):
    participant_services.lock_create(
        participant=form.participant, scope="visit", visit_code="baseline", user=people["data_manager"]
    )
    client.force_login(people["data_manager"])
    client.cookies["django_language"] = "zh-hans"
    page = client.get(casebook_url(form.participant)).content.decode()
    assert "病例报告册" in page and "解锁原因" in page and "源数据核查" in page
    sign = client.get(url("casebook-sign", form.participant.pk)).content.decode()
    assert "签名" in sign


def test_completed_form_status_is_listed(client, form, people):
    client.force_login(people["coordinator"])
    page = client.get(casebook_url(form.participant)).content.decode()
    assert f'id="response-{form.pk}"' in page and str(Response.Status.COMPLETE.label) in page


def test_the_casebook_page_does_not_query_per_form(client, form, people):
    client.force_login(people["data_manager"])
    with CaptureQueriesContext(connection) as few:
        client.get(casebook_url(form.participant))
    for activity in ("phq9_family", "sf36", "psqi"):
        Response.objects.create(
            participant=form.participant,
            visit_code="baseline",
            activity_key=activity,
            instrument_code=activity if activity != "phq9_family" else "phq9",
            definition_version="1.0",
            status=Response.Status.COMPLETE,
            lock_version=1,
        )
    participant_services.lock_create(
        participant=form.participant, scope="form", response=form, user=people["data_manager"]
    )
    with CaptureQueriesContext(connection) as many:
        page = client.get(casebook_url(form.participant)).content.decode()
    assert page.count('class="sdv-state"') == 4
    assert len(many) == len(few)
