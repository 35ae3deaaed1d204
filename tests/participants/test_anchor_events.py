"""Anchors set by consent, enrolment and a date item of a CRF (`set_by:`): the event writes the date, audited, and
the visits hanging from it get their dates with no typing; the anchor-date form refuses to type them.

The expected dates are worked out by hand below, not with the projection code: consent on Monday 2 March 2026,
enrolment on Wednesday 4 March, surgery (the liposuction form's procedure date) on Tuesday 10 March, then moved
to Tuesday 17 March.
"""

from datetime import date

import pytest
from django.urls import reverse

from accounts.services import membership_grant
from audit.models import AuditEvent
from participants import services
from participants.models import AnchorDate, Visit
from studies.models import Study
from studies.protocol import ProtocolError
from studies.services import protocol_load
from workflows.services import response_submit

from .conftest import make_user

SURGERY_TRIAL = """\
format: 1
study:
  code: SURG
  languages: [en]
  title: {en: "Surgery-anchored cohort"}
  sponsor: {en: "Spine unit"}
  design: observational
  protocol_version: "1.0"
  protocol_date: 2026-01-10
  participant_id_pattern: "{study}-{site}-{seq:03d}"
sites:
  - {code: "01", name: {en: "Spine unit"}}
anchors:
  - {code: enrolment, label: {en: "Enrolment"}}
  - {code: consented, label: {en: "Consent"}, set_by: consent}
  - {code: day0, label: {en: "Day 0"}, set_by: enrolment}
  - code: surgery
    label: {en: "Surgery"}
    optional: true
    set_by: {instrument: liposuction, item: ITEM}
visits:
  - {code: baseline, label: {en: "Baseline"}, anchor: enrolment, offset_days: 0, window_before: 0, window_after: 7,
     activities: {instruments: [liposuction]}}
  - {code: consent_call, label: {en: "Call a month after consent"}, anchor: consented, offset_days: 30,
     window_before: 3, window_after: 3}
  - {code: d1, label: {en: "Day 1"}, anchor: day0, offset_days: 1, window_before: 0, window_after: 1}
  - {code: postop_w2, label: {en: "Two weeks after surgery"}, anchor: surgery, offset_days: 14,
     window_before: 3, window_after: 3}
  - {code: postop_m6, label: {en: "Six months after surgery"}, anchor: surgery, offset_days: 182,
     window_before: 14, window_after: 14}
eligibility:
  fields:
    - {code: age, label: {en: "Age"}, type: integer}
  inclusion:
    - {code: inc_age, text: {en: "Aged 18-70"}, rule: {field: age, op: between, value: [18, 70]}}
"""

CONSENTED, ENROLLED = date(2026, 3, 2), date(2026, 3, 4)
# visit -> (target, window start, window end), by hand
AFTER_ENROLMENT = {
    "baseline": (date(2026, 3, 4), date(2026, 3, 4), date(2026, 3, 11)),  # enrolment + 0, window 0/7
    "consent_call": (date(2026, 4, 1), date(2026, 3, 29), date(2026, 4, 4)),  # 2 March + 30 days, window 3/3
    "d1": (date(2026, 3, 5), date(2026, 3, 5), date(2026, 3, 6)),  # enrolment (day 0) + 1, window 0/1
}
SURGERY_10_MARCH = {
    "postop_w2": (date(2026, 3, 24), date(2026, 3, 21), date(2026, 3, 27)),  # 10 March + 14, window 3/3
    "postop_m6": (date(2026, 9, 8), date(2026, 8, 25), date(2026, 9, 22)),  # 10 March + 182 (26 weeks), 14/14
}
SURGERY_17_MARCH = {
    "postop_w2": (date(2026, 3, 31), date(2026, 3, 28), date(2026, 4, 3)),
    "postop_m6": (date(2026, 9, 15), date(2026, 9, 1), date(2026, 9, 29)),
}


@pytest.fixture
def surg(db):
    study = protocol_load(text=SURGERY_TRIAL.replace("ITEM", "liposuction_date"), filename="surg.yaml").study
    coordinator = make_user("surg-coordinator")
    membership_grant(user=coordinator, study=study, role="coordinator", all_sites=True)
    return study, coordinator


def _consented(study, user):
    participant = services.participant_screen(
        study=study,
        site=study.sites.get(),
        user=user,
        screened_on=CONSENTED,
        full_name="Wang Wu",
        answers={"age": 50},
    )
    services.participant_consent(participant=participant, user=user, form_version="1.0", consented_on=CONSENTED)
    return participant


def _enrolled(study, user):
    participant = _consented(study, user)
    return services.participant_enrol(participant=participant, user=user, enrolled_on=ENROLLED)


def _schedule(participant):
    return {
        v.visit_code: (v.target_date, v.window_start, v.window_end)
        for v in Visit.objects.filter(participant=participant)
    }


def _anchor(participant, code):
    row = AnchorDate.objects.filter(participant=participant, anchor_code=code).first()
    return row.date if row else None


def _save_surgery(participant, user, day: str):
    result = response_submit(
        participant=participant,
        visit_code="baseline",
        activity_key="liposuction",
        instrument_code="liposuction",
        raw={"liposuction_date": day},
        complete=False,
        user=user,
        source="coordinator",
    )
    assert result.ok, result.errors
    return result


def test_recording_consent_sets_the_consent_anchor_and_enrolment_projects_from_it(surg):
    study, coordinator = surg
    participant = _consented(study, coordinator)
    assert _anchor(participant, "consented") == CONSENTED
    assert not Visit.objects.filter(participant=participant).exists()  # still screening: nothing projected yet
    participant = services.participant_enrol(participant=participant, user=coordinator, enrolled_on=ENROLLED)
    assert _schedule(participant) == AFTER_ENROLMENT
    event = AuditEvent.objects.get(object_type="participants.anchordate", changes__anchor_code__1="consented")
    assert event.reason.startswith("Date set by the consent date") and event.path == AuditEvent.Path.SYSTEM


def test_a_re_consent_does_not_move_the_consent_anchor(surg):
    study, coordinator = surg
    participant = _enrolled(study, coordinator)
    services.participant_consent(
        participant=participant, user=coordinator, form_version="2.0", consented_on=date(2026, 3, 20)
    )
    assert _anchor(participant, "consented") == CONSENTED
    assert _schedule(participant)["consent_call"] == AFTER_ENROLMENT["consent_call"]


def test_enrolment_sets_an_anchor_set_by_enrolment_and_a_corrected_enrolment_date_moves_it(surg):
    study, coordinator = surg
    participant = _enrolled(study, coordinator)
    assert _anchor(participant, "day0") == ENROLLED
    services.anchor_set(participant=participant, anchor_code="enrolment", date=date(2026, 3, 3), user=coordinator)
    assert _anchor(participant, "day0") == date(2026, 3, 3)
    assert _schedule(participant)["d1"] == (date(2026, 3, 4), date(2026, 3, 4), date(2026, 3, 5))


def test_a_saved_surgery_date_sets_the_anchor_moves_with_it_and_clearing_it_drops_the_visits(surg):
    study, coordinator = surg
    participant = _enrolled(study, coordinator)
    assert set(_schedule(participant)) == set(AFTER_ENROLMENT)  # no surgery date yet: no post-operative visits

    _save_surgery(participant, coordinator, "2026-03-10")
    assert _anchor(participant, "surgery") == date(2026, 3, 10)
    assert _schedule(participant) == AFTER_ENROLMENT | SURGERY_10_MARCH

    _save_surgery(participant, coordinator, "2026-03-17")
    assert _anchor(participant, "surgery") == date(2026, 3, 17)
    assert _schedule(participant) == AFTER_ENROLMENT | SURGERY_17_MARCH
    moved = AuditEvent.objects.filter(object_type="participants.anchordate", action=AuditEvent.Action.UPDATE).get()
    assert moved.changes["date"] == ["2026-03-10", "2026-03-17"]
    assert moved.reason.startswith("Date set by form item liposuction.liposuction_date")

    _save_surgery(participant, coordinator, "")
    assert _anchor(participant, "surgery") is None
    assert _schedule(participant) == AFTER_ENROLMENT
    assert (
        AuditEvent.objects.filter(object_type="participants.anchordate", action=AuditEvent.Action.DELETE).count() == 1
    )


def test_the_anchor_date_form_refuses_to_type_a_date_an_event_sets(client, surg):
    study, coordinator = surg
    participant = _enrolled(study, coordinator)
    client.force_login(coordinator)
    url = reverse("participants:anchor-set", args=[participant.pk])
    response = client.post(url, {"anchor_code": "surgery", "date": "2026-03-10"})
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "The date of “Surgery” is set by item liposuction_date of the form liposuction; it cannot be entered by hand."
        in page
    )
    response = client.post(url, {"anchor_code": "consented", "date": "2026-03-03"})
    assert "The date of “Consent” is set by consent; it cannot be entered by hand." in response.content.decode()
    assert _anchor(participant, "surgery") is None and _anchor(participant, "consented") == CONSENTED
    detail = client.get(reverse("participants:participant-detail", args=[participant.pk])).content.decode()
    assert "set by item liposuction_date of the form liposuction" in detail


def test_a_set_by_item_that_is_not_a_date_item_is_refused_at_load_and_nothing_is_saved(db):
    with pytest.raises(ProtocolError) as caught:
        protocol_load(text=SURGERY_TRIAL.replace("ITEM", "liposuction_volume"), filename="surg.yaml")
    assert [(p.path, p.message) for p in caught.value.problems] == [
        (
            "anchors[3].set_by.item",
            "'liposuction_volume' is not a date item of 'liposuction' (did you mean 'liposuction_date'?)",
        )
    ]
    assert not Study.objects.filter(code="surg").exists()


def test_the_crf_page_sets_the_surgery_date_anchor_with_no_typing_on_the_anchor_form(client, surg):
    study, coordinator = surg
    participant = _enrolled(study, coordinator)
    client.force_login(coordinator)
    url = reverse("workflows:response-edit", args=[participant.pk, "baseline", "liposuction"])
    response = client.post(url, {"liposuction_date": "2026-03-10", "action": "save", "lock_version": 0, "reason": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _anchor(participant, "surgery") == date(2026, 3, 10)
    assert _schedule(participant) == AFTER_ENROLMENT | SURGERY_10_MARCH
