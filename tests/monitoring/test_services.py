"""Monitoring services: SDV reset by a change, locks refused on every write path, e-signatures."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from instruments.models import Response
from monitoring import selectors, services
from monitoring.models import Signature, SourceVerification
from participants import selectors as participant_selectors
from participants import services as participant_services
from participants.models import Lock, Visit
from tests.factories import PASSWORD
from workflows.services import responses_import

from .conftest import ANSWERS, sign_request, submit

CHANGED = {**ANSWERS, "phq9_1": "3"}


def sdv(response):
    groups, _lock = selectors.casebook(response.participant)
    return next(row.sdv for group in groups for row in group.rows if row.response.pk == response.pk)


def test_a_verified_form_is_reset_by_a_later_change_through_response_submit(form, people):
    verification = services.response_verify(response=form, user=people["monitor"])
    assert (verification.lock_version, sdv(form)) == (form.lock_version, "verified")
    assert AuditEvent.objects.filter(action="verify", object_id=str(verification.pk)).exists()

    result = submit(form.participant, people["coordinator"], answers=CHANGED, reason="typo in source")
    assert result.ok and result.changed
    verification.refresh_from_db()
    assert verification.reset_at is not None and "typo in source" in verification.reset_reason
    assert sdv(form) == "changed"
    # verified again at the new version
    services.response_verify(response=result.response, user=people["monitor"])
    assert sdv(form) == "verified"
    assert SourceVerification.objects.filter(response=form).count() == 2


def test_an_unchanged_save_keeps_the_verification(form, people):
    services.response_verify(response=form, user=people["monitor"])
    assert submit(form.participant, people["coordinator"], lock_version=form.lock_version).changed is False
    assert sdv(form) == "verified"


def test_only_a_complete_form_can_be_verified_once(alpha, people, form):
    draft = submit(alpha.participant_a, people["coordinator"], activity="phq9_family")
    draft.response.status = Response.Status.IN_PROGRESS
    draft.response.save()
    with pytest.raises(ValidationError):
        services.response_verify(response=draft.response, user=people["monitor"])
    services.response_verify(response=form, user=people["monitor"])
    with pytest.raises(ValidationError):
        services.response_verify(response=form, user=people["monitor"])


@pytest.mark.parametrize("scope", ["form", "visit", "participant"])
def test_a_lock_refuses_response_submit_and_unlock_restores(form, people, scope):
    target = {"form": {"response": form}, "visit": {"visit_code": "baseline"}, "participant": {}}[scope]
    lock = participant_services.lock_create(
        participant=form.participant, scope=scope, user=people["data_manager"], reason="database lock", **target
    )
    assert participant_selectors.is_locked(form.participant, response=form) == lock
    refused = submit(form.participant, people["coordinator"], answers=CHANGED, reason="late correction")
    assert refused.locked and not refused.ok and "locked" in refused.errors["form"]["en"]
    form.refresh_from_db()
    assert form.values["phq9_1"] == 1 and form.lock_version == 1

    with pytest.raises(ValidationError):
        participant_services.lock_release(lock=lock, user=people["data_manager"], reason="  ")
    participant_services.lock_release(lock=lock, user=people["data_manager"], reason="query answered")
    assert participant_selectors.is_locked(form.participant, response=form) is None
    assert submit(form.participant, people["coordinator"], answers=CHANGED, reason="late correction").changed
    actions = set(AuditEvent.objects.filter(object_type="participants.lock").values_list("action", flat=True))
    assert actions == {"lock", "unlock"}


def test_a_visit_lock_leaves_other_visits_writable(form, people):
    participant_services.lock_create(
        participant=form.participant, scope="visit", visit_code="baseline", user=people["data_manager"]
    )
    assert participant_selectors.is_locked(form.participant, "m1") is None
    assert submit(form.participant, people["coordinator"], visit="m1").ok
    with pytest.raises(ValidationError):
        participant_services.lock_create(
            participant=form.participant, scope="visit", visit_code="baseline", user=people["data_manager"]
        )


def test_a_csv_import_row_for_a_locked_form_is_refused_with_a_message(form, alpha, people):
    participant_services.lock_create(
        participant=form.participant, scope="form", response=form, user=people["data_manager"]
    )
    header = "study_id,visit,activity," + ",".join(ANSWERS)
    csv_text = f"{header}\nALPHA-A-0001,baseline,phq9," + ",".join("2" for _ in ANSWERS) + "\n"
    report = responses_import(study=alpha.study, csv_text=csv_text, user=people["coordinator"], reason="import")
    assert not report.ok
    assert report.rows[0].status == "refused"
    assert any("locked" in text for text in report.rows[0].messages)
    form.refresh_from_db()
    assert form.values["phq9_1"] == 1


def _visit(participant, code="baseline"):
    today = timezone.localdate()
    return Visit.objects.create(
        participant=participant,
        visit_code=code,
        anchor_code="enrolment",
        target_date=today,
        window_start=today,
        window_end=today,
    )


def test_participant_services_are_refused_for_a_locked_participant(alpha, people):
    participant, user = alpha.participant_a, people["coordinator"]
    participant.enrolled_on = timezone.localdate() - datetime.timedelta(days=3)
    participant.save()
    visit = _visit(participant)
    lock = participant_services.lock_create(participant=participant, scope="participant", user=people["data_manager"])
    today = timezone.localdate()
    attempts = [
        lambda: participant_services.anchor_set(
            participant=participant, anchor_code="enrolment", date=today, user=user, reason="x"
        ),
        lambda: participant_services.visit_complete(visit=visit, completed_on=today, user=user, require_forms=False),
        lambda: participant_services.visit_miss(visit=visit, user=user, why="unwell"),
        lambda: participant_services.participant_withdraw(
            participant=participant, user=user, withdrawn_on=today, reason="moved"
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="locked"):
            attempt()
    visit.refresh_from_db()
    participant.refresh_from_db()
    assert visit.completed_on is None and not visit.missed and participant.status == "enrolled"

    participant_services.lock_release(lock=lock, user=people["data_manager"], reason="reopened")
    participant_services.visit_complete(visit=visit, completed_on=today, user=user, require_forms=False)
    visit.refresh_from_db()
    assert visit.completed_on == today


def test_a_visit_lock_refuses_completing_that_visit_only(alpha, people):
    participant = alpha.participant_a
    baseline, month = _visit(participant), _visit(participant, "m1")
    participant_services.lock_create(
        participant=participant, scope="visit", visit_code="baseline", user=people["data_manager"]
    )
    with pytest.raises(ValidationError, match="locked"):
        participant_services.visit_miss(visit=baseline, user=people["coordinator"], why="unwell")
    participant_services.visit_miss(visit=month, user=people["coordinator"], why="unwell")


def test_a_wrong_password_signs_nothing(form, people):
    with pytest.raises(ValidationError) as refused:
        services.casebook_sign(
            participant=form.participant,
            user=people["pi"],
            password="wrong-one",
            meaning="reviewed",
            request=sign_request(),
        )
    assert "password" in refused.value.message_dict
    assert not Signature.objects.exists()
    assert not AuditEvent.objects.filter(action="sign").exists()


def test_the_right_password_stores_signer_time_meaning_and_hash(form, people):
    signature = services.casebook_sign(
        participant=form.participant, user=people["pi"], password=PASSWORD, meaning="reviewed", request=sign_request()
    )
    assert signature.signer == people["pi"] and signature.signed_at is not None
    assert "complete and accurate" in signature.meaning_text and "完整" in signature.meaning_text
    assert signature.content_hash == selectors.casebook_hash(form.participant)
    assert AuditEvent.objects.filter(action="sign", object_id=str(signature.pk)).exists()
    with pytest.raises(ValidationError):
        services.casebook_sign(
            participant=form.participant,
            user=people["pi"],
            password=PASSWORD,
            meaning="reviewed",
            request=sign_request(),
        )


def test_a_change_after_signing_voids_the_signature_and_the_pi_can_sign_again(form, people):
    signature = services.casebook_sign(
        participant=form.participant, user=people["pi"], password=PASSWORD, meaning="reviewed", request=sign_request()
    )
    before = signature.content_hash
    submit(form.participant, people["coordinator"], answers=CHANGED, reason="source corrected")
    signature.refresh_from_db()
    assert signature.voided_at is not None and "source corrected" in signature.voided_by_change
    assert selectors.current_signature(form.participant) is None
    again = services.casebook_sign(
        participant=form.participant, user=people["pi"], password=PASSWORD, meaning="reviewed", request=sign_request()
    )
    assert again.content_hash != before


def test_the_casebook_hash_follows_values_and_scores(form, people):
    first = selectors.casebook_hash(form.participant)
    assert first == selectors.casebook_hash(form.participant)
    submit(form.participant, people["coordinator"], answers=CHANGED, reason="x")
    assert selectors.casebook_hash(form.participant) != first


def test_lock_scopes_must_name_their_target(form, people):
    with pytest.raises(ValidationError):
        participant_services.lock_create(participant=form.participant, scope="form", user=people["data_manager"])
    with pytest.raises(ValidationError):
        participant_services.lock_create(participant=form.participant, scope="visit", user=people["data_manager"])
    with pytest.raises(ValidationError):
        participant_services.lock_create(
            participant=form.participant, scope="visit", visit_code="no-such-visit", user=people["data_manager"]
        )
    assert not Lock.objects.exists()
