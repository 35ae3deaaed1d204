"""CONSORT from declared events, against flows counted by hand: an open exercise vs wait-list trial and a surgical
trial in which both arms have surgery (tests/fixtures/study_files/). Every participant is built through the
services (screening, consent or its refusal, enrolment, randomisation, anchors, visits, CRFs through
``response_submit``), then an amendment adding a later visit is loaded and every count must stay the same.
"""

from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.services import membership_grant
from audit.models import AuditEvent
from instruments.models import Response
from participants import services as ps
from participants.models import CriterionEvent, Visit
from randomisation import services as rs
from reports.selectors import consort_flow
from tests.factories import UserFactory
from workflows.services import protocol_apply, response_submit

FILES = Path(__file__).resolve().parents[1] / "fixtures" / "study_files"
DAY = date(2026, 3, 2)


def _load(name: str) -> str:
    return (FILES / name).read_text(encoding="utf-8")


def _amended(name: str, visit: str, before: str) -> str:
    """Version 1.1 of the file: ``visit`` (a YAML list entry) added to the schedule, the rest unchanged."""
    text = _load(name).replace('protocol_version: "1.0"', 'protocol_version: "1.1"')
    return text.replace(before, visit + before)


def _trial(name: str, code: str, day: date = DAY):
    result = protocol_apply(text=_load(name), filename=name, path=AuditEvent.Path.COMMAND)
    study = result.study
    admin = UserFactory(username=f"{code}-admin")
    membership_grant(user=admin, study=study, role=Role.ADMIN, all_sites=True)
    statistician = UserFactory(username=f"{code}-stat")
    membership_grant(user=statistician, study=study, role=Role.UNBLINDED_STATISTICIAN, all_sites=True)
    allocation_list = rs.allocation_list_generate(
        study=study, user=statistician, size=40, seed=7, block_multipliers=(1,)
    )  # blocks of two: every pair of randomisations is one per arm
    rs.allocation_list_freeze(allocation_list=allocation_list, user=statistician)
    return SimpleNamespace(study=study, site=study.sites.get(code="01"), admin=admin, name=name, day=day)


def _screen(trial, answers):
    return ps.participant_screen(
        study=trial.study, site=trial.site, user=trial.admin, screened_on=trial.day, full_name="P", answers=answers
    )


def _consent(trial, participant):
    ps.participant_consent(participant=participant, user=trial.admin, form_version="1.0", consented_on=trial.day)


def _refuse(trial, participant):
    ps.participant_consent_refuse(participant=participant, user=trial.admin, form_version="1.0", refused_on=trial.day)


def _enrol(trial, answers):
    participant = _screen(trial, answers)
    _consent(trial, participant)
    return ps.participant_enrol(participant=participant, user=trial.admin, enrolled_on=trial.day)


def _randomise_pairs(trial, answers, pairs: int) -> dict[str, list]:
    by_arm: dict[str, list] = {}
    for _ in range(2 * pairs):
        participant = _enrol(trial, answers)
        rs.participant_randomise(participant=participant, user=trial.admin)
        participant.refresh_from_db()
        by_arm.setdefault(participant.arm_code, []).append(participant)
    return by_arm


def _anchor(trial, participant, code: str, day: date):
    ps.anchor_set(participant=participant, anchor_code=code, date=day, user=trial.admin)


def _visit(participant, code: str) -> Visit:
    return Visit.objects.get(participant=participant, visit_code=code, sequence=1)


def _complete(trial, participant, code: str):
    visit = _visit(participant, code)
    ps.visit_complete(visit=visit, completed_on=visit.target_date, user=trial.admin, require_forms=False)


def _miss(trial, participant, code: str):
    ps.visit_miss(visit=_visit(participant, code), user=trial.admin, why="unreachable")


def _submit(trial, participant, visit_code: str, instrument: str, raw: dict, reason: str = ""):
    result = response_submit(
        participant=participant,
        visit_code=visit_code,
        activity_key=instrument,
        instrument_code=instrument,
        raw=raw,
        complete=True,
        user=trial.admin,
        source=Response.Source.COORDINATOR,
        reason=reason,
    )
    assert result.ok, result.errors
    return result.response


def _arms(trial):
    flow = consort_flow(trial.study, user=trial.admin)
    return flow, {arm.code: arm for arm in flow.arms}


def _counts(arm) -> tuple:
    return (
        arm.allocated,
        arm.received,
        arm.discontinued,
        arm.withdrawn,
        arm.lost,
        arm.analysed,
        arm.excluded_from_analysis,
    )


# --- the wait-list trial ------------------------------------------------------------------------------------------

WLX_ELIGIBLE = {"age": 40, "vas_mm": 60, "exc_surgery": False}
PREGNANT = {
    "pregnancy_test_applicable": "1",
    "pregnancy_test_date": "2026-05-25",
    "pregnancy_test_method": "1",
    "pregnancy_test_result": "1",
    "pregnancy_test_lactating": "no",
}


@pytest.fixture
def waitlist(db):
    """Screened out: s1 (age 17), s2 (VAS 20), s3 (spinal surgery last year). Declined: d1 (refused consent).
    Still in screening: q1 (VAS not yet measured), q2 (consented, not enrolled). Enrolled, not randomised: n1.
    Randomised, exercise: E1 (started, w12 completed), E2 (started, VAS 95 at ex_w6: discontinued), E3 (never
    started, w12 completed), E4 (started, w12 missed: lost). Wait-list: W1 (w12 completed), W2 (w12 completed,
    pregnancy test positive at w12: excluded from analysis), W3 (withdrawn, moved away), W4 (w12 missed: lost).
    """
    trial = _trial("consort_waitlist_trial.yaml", "wlx")
    _screen(trial, WLX_ELIGIBLE | {"age": 17})
    _screen(trial, WLX_ELIGIBLE | {"vas_mm": 20})
    _screen(trial, WLX_ELIGIBLE | {"exc_surgery": True})
    _refuse(trial, _screen(trial, WLX_ELIGIBLE))
    _screen(trial, {"age": 40, "exc_surgery": False})
    _consent(trial, _screen(trial, WLX_ELIGIBLE))
    _enrol(trial, WLX_ELIGIBLE)
    by_arm = _randomise_pairs(trial, WLX_ELIGIBLE, 4)
    e1, e2, e3, e4 = by_arm["exercise"]
    w1, w2, w3, w4 = by_arm["waitlist"]
    for person in (e1, e2, e4):
        _anchor(trial, person, "exercise_start", DAY + timedelta(days=7))
    _submit(trial, e2, "ex_w6", "vas", {"vas_1": "95"})
    for person in (e1, e3, w1, w2):
        _complete(trial, person, "w12")
    _submit(trial, w2, "w12", "pregnancy_test", PREGNANT)
    ps.participant_withdraw(
        participant=w3, user=trial.admin, withdrawn_on=DAY + timedelta(days=30), reason="Moved away"
    )
    for person in (e4, w4):
        _miss(trial, person, "w12")
    return SimpleNamespace(trial=trial, e=(e1, e2, e3, e4), w=(w1, w2, w3, w4))


def _assert_waitlist_counts(trial):
    flow, arms = _arms(trial)
    assert (flow.assessed, flow.included, flow.not_allocated) == (15, 8, 0)
    ex = flow.excluded
    assert (ex.n, ex.screen_failed, ex.declined, ex.screening, ex.other) == (7, 3, 1, 2, 1)
    assert {line.code: line.n for line in ex.criteria} == {"inc_age": 1, "inc_vas": 1, "exc_surgery": 1}
    assert {line.code: line.n for line in ex.screening_reasons} == {"incomplete": 1, "not_enrolled": 1}
    exercise, waitlist = arms["exercise"], arms["waitlist"]
    # allocated, received, discontinued, withdrawn, lost, analysed, excluded from analysis
    assert _counts(exercise) == (4, 3, 1, 0, 1, 2, 0)
    assert exercise.intervention.label == "Exercise programme" and exercise.not_received == 1
    assert [(line.code, line.n) for line in exercise.discontinuation_reasons] == [("pain_flare", 1)]
    assert _counts(waitlist) == (4, None, 0, 1, 1, 1, 1)
    assert waitlist.intervention.none
    assert [(line.label, line.n) for line in waitlist.exclusion_reasons] == [("Pregnancy", 1)]
    assert [(line.label, line.n) for line in waitlist.withdrawal_reasons] == [("Moved away", 1)]


def test_the_waitlist_trial_counts_match_the_hand_counted_flow(waitlist):
    _assert_waitlist_counts(waitlist.trial)


def test_an_amendment_adding_a_later_visit_keeps_the_waitlist_counts(waitlist):
    trial = waitlist.trial
    m6 = (
        '  - {code: m6, label: {en: "Month 6", zh: "第6个月"}, anchor: enrolment, offset_days: 182,\n'
        "     window_before: 14, window_after: 14, activities: {instruments: [vas]}}\n"
    )
    text = _amended(trial.name, m6, "analysis_visits:")  # the analysis visit stays week 12
    protocol_apply(text=text, filename=trial.name, path=AuditEvent.Path.COMMAND)
    assert Visit.objects.filter(participant=waitlist.w[0], visit_code="m6").exists()  # the new visit is projected
    _assert_waitlist_counts(trial)


def test_the_page_shows_no_intervention_for_the_waitlist_arm(client, waitlist):
    client.force_login(waitlist.trial.admin)
    page = client.get(reverse("reports:consort-detail", args=[waitlist.trial.study.code])).content.decode()
    assert "No intervention (wait-list or" in page and "intervention (Exercise programme)" in page
    assert "Declined to participate (asked to consent, refused)" in page and "Still in screening (n = 2)" in page
    assert "Analysed (Week 12 completed) (n = 2)" in page and "Severe pain flare (VAS ≥ 90 mm)" in page


# --- the surgical trial -------------------------------------------------------------------------------------------

SFX_ELIGIBLE = {"age": 60, "inc_imaging": True}
SFX_DAY = date(2025, 10, 1)  # early enough for the 12-month visit to be in the past
SURGERY = SFX_DAY + timedelta(days=10)


def _ae(event: str) -> dict:
    return {
        "ae_record_occurred": "yes",
        "ae_record_event": event,
        "ae_record_term": "Wound problem",
        "ae_record_onset_date": "2025-10-20",
        "ae_record_grade": "2",
        "ae_record_serious": "no",
        "ae_record_relationship": "1",
        "ae_record_action": "1",
        "ae_record_treatment": ["2"],
        "ae_record_outcome": "2",
    }


@pytest.fixture
def surgery(db):
    """Screened out: s1 (age 80), s2 (no stenosis on MRI). Declined: d1, d2. Still in screening: q1 (eligible,
    consent not yet asked). Randomised, fusion: F1 (operated, m12 completed), F2 (operated, wound infection at
    postop_w2: excluded from analysis, m12 completed), F3 (not operated yet: no surgery-anchored visits).
    Decompression: D1 (operated, m12 completed), D2 (operated, m12 missed: lost), D3 (operated, infection saved
    then corrected to fever: stays excluded, flagged for review; m12 completed).
    """
    trial = _trial("consort_surgery_trial.yaml", "sfx", SFX_DAY)
    _screen(trial, SFX_ELIGIBLE | {"age": 80})
    _screen(trial, SFX_ELIGIBLE | {"inc_imaging": False})
    for _ in range(2):
        _refuse(trial, _screen(trial, SFX_ELIGIBLE))
    _screen(trial, SFX_ELIGIBLE)
    by_arm = _randomise_pairs(trial, SFX_ELIGIBLE, 3)
    f1, f2, f3 = by_arm["fusion"]
    d1, d2, d3 = by_arm["decompression"]
    for person in (f1, f2, d1, d2, d3):
        _anchor(trial, person, "surgery", SURGERY)
    _submit(trial, f2, "postop_w2", "ae_record", _ae("2"))
    _submit(trial, d3, "postop_w2", "ae_record", _ae("2"))
    _submit(trial, d3, "postop_w2", "ae_record", _ae("1"), "It was a fever")  # the correction
    for person in (f1, f2, d1, d3):
        _complete(trial, person, "m12")
    _miss(trial, d2, "m12")
    return SimpleNamespace(trial=trial, f=(f1, f2, f3), d=(d1, d2, d3))


def _assert_surgery_counts(trial):
    flow, arms = _arms(trial)
    assert (flow.assessed, flow.included) == (11, 6)
    ex = flow.excluded
    assert (ex.n, ex.screen_failed, ex.declined, ex.screening, ex.other) == (5, 2, 2, 1, 0)
    assert {line.code: line.n for line in ex.screening_reasons} == {"awaiting_consent": 1}
    fusion, decompression = arms["fusion"], arms["decompression"]
    # allocated, received, discontinued, withdrawn, lost, analysed, excluded from analysis
    assert _counts(fusion) == (3, 2, 0, 0, 0, 1, 1)
    assert _counts(decompression) == (3, 3, 0, 0, 1, 1, 1)
    assert fusion.intervention.label == "Fusion surgery" and decompression.intervention.label == "Decompression surgery"
    assert [(line.code, line.n) for line in decompression.exclusion_reasons] == [("postop_infection", 1)]


def test_the_surgical_trial_counts_match_the_hand_counted_flow(surgery):
    _assert_surgery_counts(surgery.trial)


def test_an_amendment_adding_a_later_visit_keeps_the_surgical_counts(surgery):
    trial = surgery.trial
    m24 = (
        '  - {code: m24, label: {en: "24 months after surgery", zh: "术后24个月"}, anchor: surgery,\n'
        "     offset_days: 730, window_before: 30, window_after: 30, activities: {instruments: [odi]}}\n"
    )
    text = _amended(trial.name, m24, "analysis_visits:")
    protocol_apply(text=text, filename=trial.name, path=AuditEvent.Path.COMMAND)
    assert Visit.objects.filter(participant=surgery.f[0], visit_code="m24").exists()
    _assert_surgery_counts(trial)


def test_a_met_criterion_is_recorded_once_with_its_form_and_an_audit_row(surgery):
    f2 = surgery.f[1]
    (event,) = CriterionEvent.objects.filter(participant=f2)
    assert (event.criterion_code, event.kind, event.response.visit_code, event.is_open) == (
        "postop_infection",
        "exclusion",
        "postop_w2",
        True,
    )
    assert AuditEvent.objects.filter(object_type="participants.criterionevent", object_id=str(event.pk)).exists()
    again = _ae("2") | {"ae_record_term": "Wound infection, superficial"}
    _submit(surgery.trial, f2, "postop_w2", "ae_record", again, "Term made precise")  # a changed save: judged again
    assert CriterionEvent.objects.filter(participant=f2).count() == 1


def test_a_correction_that_makes_the_criterion_false_flags_it_for_review_and_does_not_unexclude(surgery):
    d3 = surgery.d[2]
    (event,) = CriterionEvent.objects.filter(participant=d3)
    assert event.needs_review and event.is_open
    ps.criterion_event_review(event=event, user=surgery.trial.admin)
    event.refresh_from_db()
    assert not event.is_open and event.needs_review  # reviewed; still counted until a person decides otherwise


def test_unknown_fields_in_a_discontinuation_rule_are_refused_with_their_key_path(db):
    from studies.protocol import ProtocolError

    text = _load("consort_surgery_trial.yaml").replace("ae_record.ae_record_event", "ae_record.ae_record_evnt")
    text = text.replace("anchor: surgery}\n  - code: decompression", "anchor: surgry}\n  - code: decompression")
    with pytest.raises(ProtocolError) as refused:
        protocol_apply(text=text, filename="sfx.yaml", path=AuditEvent.Path.COMMAND)
    paths = {problem.path for problem in refused.value.problems}
    assert "arms[0].intervention.anchor" in paths
    bad = _load("consort_surgery_trial.yaml").replace("ae_record.ae_record_event", "ae_record.ae_record_evnt")
    with pytest.raises(ProtocolError) as refused:
        protocol_apply(text=bad, filename="sfx.yaml", path=AuditEvent.Path.COMMAND)
    (problem,) = refused.value.problems
    assert problem.path == "discontinuation[0].rule" and "did you mean 'ae_record_event'" in problem.message


def test_the_coordinator_sees_the_task_on_the_participant_pages_and_marks_it_reviewed(client, surgery):
    trial, f2, d1 = surgery.trial, surgery.f[1], surgery.d[0]
    (event,) = CriterionEvent.objects.filter(participant=f2)
    client.force_login(trial.admin)
    listing = client.get(reverse("participants:participant-list", args=[trial.study.code])).content.decode()
    assert listing.count("Criterion met: review") == 2  # F2 and D3
    detail = client.get(reverse("participants:participant-detail", args=[f2.pk])).content.decode()
    assert "Post-operative wound infection" in detail and "Mark reviewed" in detail
    url = reverse("participants:criterion-review", args=[d1.pk])
    page = client.post(url, {"event_id": event.pk}).content.decode()  # F2's event through D1's page
    assert "No such criterion event for this participant." in page
    event.refresh_from_db()
    assert event.is_open
    response = client.post(reverse("participants:criterion-review", args=[f2.pk]), {"event_id": event.pk})
    assert response.status_code == 302
    event.refresh_from_db()
    assert not event.is_open and event.reviewed_by == trial.admin
    listing = client.get(reverse("participants:participant-list", args=[trial.study.code])).content.decode()
    assert listing.count("Criterion met: review") == 1


def test_a_blinded_column_pools_arms_and_names_no_arm_specific_intervention(db):
    """Pure: the surgical file as a double-blind trial; the pooled column must not show "Fusion surgery"."""
    from reports import consort
    from reports.consort import ParticipantRow
    from studies.selectors import parse_protocol_text

    text = _load("consort_surgery_trial.yaml").replace("blinding: none", "blinding: double")
    protocol = parse_protocol_text(text, filename="sfx-blind.yaml")
    operated = frozenset({"enrolment", "surgery"})
    rows = [
        ParticipantRow(status="enrolled", arm_code="fusion", randomised=True, anchors=operated),
        ParticipantRow(status="enrolled", arm_code="decompression", randomised=True, anchors=frozenset({"enrolment"})),
        ParticipantRow(
            status="enrolled",
            arm_code="decompression",
            randomised=True,
            anchors=operated,
            analysis_completed=True,
            events=(("postop_infection", "exclusion"),),
        ),
    ]
    flow = consort.consort_flow(
        protocol, rows, arms_visible=False, site_codes=["01"], site_limited=False, randomised_design=True
    )
    (pooled,) = flow.arms
    assert pooled.intervention.label == "" and not pooled.intervention.none  # two labels: neither is shown
    assert (pooled.allocated, pooled.received, pooled.analysed, pooled.excluded_from_analysis) == (3, 2, 0, 1)


def test_the_csv_download_carries_the_declared_events(client, waitlist):
    import csv
    import io

    from tests.downloads import download_text

    client.force_login(waitlist.trial.admin)
    response = client.get(reverse("reports:consort-csv", args=[waitlist.trial.study.code]))
    rows = list(csv.reader(io.StringIO(download_text(response))))
    assert ["enrolment", "", "", "declined", "", "1"] in rows
    assert ["enrolment", "", "", "still_screening", "", "2"] in rows
    assert ["allocation", "Wait-list", "", "no_intervention", "", ""] in rows
    assert ["allocation", "Supervised exercise", "", "received_intervention", "", "3"] in rows
    assert [
        "follow_up",
        "Supervised exercise",
        "",
        "discontinuation_reason",
        "pain_flare: Severe pain flare (VAS ≥ 90 mm)",
        "1",
    ] in rows
    assert ["analysis", "Wait-list", "", "exclusion_reason", "pregnancy: Pregnancy", "1"] in rows
    assert ["analysis", "Wait-list", "", "analysed", "", "1"] in rows


# --- judging the criteria and recording refusals ------------------------------------------------------------------


@pytest.fixture
def started(db):
    """One randomised wait-list trial participant in the exercise arm who has started exercising."""
    trial = _trial("consort_waitlist_trial.yaml", "wlx")
    by_arm = _randomise_pairs(trial, WLX_ELIGIBLE, 1)
    (person,) = by_arm["exercise"]
    _anchor(trial, person, "exercise_start", DAY + timedelta(days=7))
    return SimpleNamespace(trial=trial, person=person, other=by_arm["waitlist"][0])


def _draft(trial, participant, raw):
    return response_submit(
        participant=participant,
        visit_code="ex_w6",
        activity_key="vas",
        instrument_code="vas",
        raw=raw,
        complete=False,
        user=trial.admin,
        source=Response.Source.COORDINATOR,
    )


def test_a_criterion_counts_only_when_a_complete_form_makes_it_true(started):
    trial, person = started.trial, started.person
    assert _draft(trial, person, {"vas_1": "95"}).ok
    assert not CriterionEvent.objects.exists()  # a draft is not data yet
    _submit(trial, started.other, "w12", "vas", {"vas_1": "50"})
    assert not CriterionEvent.objects.exists()  # false: nothing raised
    _submit(trial, person, "ex_w6", "vas", {"vas_1": "95"})
    (event,) = CriterionEvent.objects.all()
    assert (event.participant, event.criterion_code, event.kind) == (person, "pain_flare", "discontinuation")
    person.refresh_from_db()
    assert person.status == "enrolled"  # follow-up is stopped by a person, not by the data (docs)


def test_a_refusal_is_recorded_only_for_someone_in_screening_with_a_past_date(started):
    from django.core.exceptions import ValidationError

    trial = started.trial
    with pytest.raises(ValidationError):
        _refuse(trial, started.person)  # enrolled: too late to refuse consent
    candidate = _screen(trial, WLX_ELIGIBLE)
    with pytest.raises(ValidationError):
        ps.participant_consent_refuse(
            participant=candidate,
            user=trial.admin,
            form_version="1.0",
            refused_on=timezone.localdate() + timedelta(days=2),
        )
    with pytest.raises(ValidationError):
        ps.participant_consent_refuse(participant=candidate, user=trial.admin, form_version=" ", refused_on=DAY)
    assert not candidate.consent_refusals.exists()
    _refuse(trial, candidate)
    assert AuditEvent.objects.filter(object_type="participants.consentrefusal").count() == 1


def test_a_coordinator_records_a_refusal_on_the_participant_page_and_consort_counts_it_declined(client, started):
    trial = started.trial
    candidate = _screen(trial, WLX_ELIGIBLE)
    client.force_login(trial.admin)
    url = reverse("participants:consent-refuse", args=[candidate.pk])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = client.post(url, {"form_version": "1.0", "refused_on": tomorrow}).content.decode()
    assert "cannot be in the future" in page and not candidate.consent_refusals.exists()
    response = client.post(url, {"form_version": "1.0", "refused_on": "2026-03-02", "notes": "No time"})
    assert response.status_code == 302 and candidate.consent_refusals.count() == 1
    assert consort_flow(trial.study, user=trial.admin).excluded.declined == 1
    detail = client.get(reverse("participants:participant-detail", args=[candidate.pk])).content.decode()
    assert "Refused consent" in detail and "No time" in detail
