"""The visit schedule through the services, with LBPB's dates worked out by hand.

Enrolled 2026-03-02, treatment started 2026-03-16, procedure on 2026-03-22.
"""

from datetime import date

import pytest

from participants import services
from participants.models import Visit

from .conftest import enrol, lbpb_text, load_protocol

D = date

# visit: (target, window start, window end)
AFTER_ENROLMENT = {"baseline": (D(2026, 3, 2), D(2026, 3, 2), D(2026, 3, 9))}
AFTER_TREATMENT = {  # 2026-03-16 + offset, window offset -before/+after
    "d1": (D(2026, 3, 17), D(2026, 3, 17), D(2026, 3, 18)),
    "w1": (D(2026, 3, 23), D(2026, 3, 20), D(2026, 3, 26)),
    "w2": (D(2026, 3, 30), D(2026, 3, 27), D(2026, 4, 2)),
    "m1": (D(2026, 4, 15), D(2026, 4, 8), D(2026, 4, 22)),
    "m3": (D(2026, 6, 14), D(2026, 5, 31), D(2026, 6, 28)),
    "m6": (D(2026, 9, 12), D(2026, 8, 13), D(2026, 10, 12)),
    "m12": (D(2027, 3, 16), D(2027, 2, 14), D(2027, 4, 15)),
}
AFTER_PROCEDURE = {
    "pre_procedure": (D(2026, 3, 21), D(2026, 3, 20), D(2026, 3, 21)),
    "post_procedure": (D(2026, 3, 23), D(2026, 3, 23), D(2026, 3, 24)),
}


def _schedule(participant):
    return {
        v.visit_code: (v.target_date, v.window_start, v.window_end)
        for v in Visit.objects.filter(participant=participant)
    }


@pytest.fixture
def scheduled(lbpb):
    participant = enrol(lbpb)
    services.anchor_set(
        participant=participant, anchor_code="treatment_start", date=D(2026, 3, 16), user=lbpb.coordinator
    )
    services.anchor_set(participant=participant, anchor_code="procedure", date=D(2026, 3, 22), user=lbpb.coordinator)
    return participant


def test_enrolment_projects_only_the_baseline_until_treatment_starts(lbpb):
    participant = enrol(lbpb)
    assert _schedule(participant) == AFTER_ENROLMENT


@pytest.mark.parametrize("code", [*AFTER_ENROLMENT, *AFTER_TREATMENT, *AFTER_PROCEDURE])
def test_each_visit_has_its_hand_worked_target_and_window(scheduled, code):
    expected = {**AFTER_ENROLMENT, **AFTER_TREATMENT, **AFTER_PROCEDURE}[code]
    assert _schedule(scheduled)[code] == expected


def test_moving_the_procedure_moves_only_procedure_visits_not_done(lbpb, scheduled):
    pre = Visit.objects.get(participant=scheduled, visit_code="pre_procedure")
    services.visit_complete(visit=pre, completed_on=D(2026, 3, 21), user=lbpb.coordinator, require_forms=False)

    services.anchor_set(participant=scheduled, anchor_code="procedure", date=D(2026, 3, 29), user=lbpb.coordinator)

    schedule = _schedule(scheduled)
    assert schedule["post_procedure"] == (D(2026, 3, 30), D(2026, 3, 30), D(2026, 3, 31))
    assert schedule["pre_procedure"] == AFTER_PROCEDURE["pre_procedure"]  # done: never moves
    assert {code: schedule[code] for code in AFTER_TREATMENT} == AFTER_TREATMENT
    assert schedule["baseline"] == AFTER_ENROLMENT["baseline"]


def test_a_completed_visit_never_moves_when_treatment_date_is_corrected(lbpb, scheduled):
    d1 = Visit.objects.get(participant=scheduled, visit_code="d1")
    services.visit_complete(visit=d1, completed_on=D(2026, 3, 17), user=lbpb.coordinator, require_forms=False)

    services.anchor_set(
        participant=scheduled, anchor_code="treatment_start", date=D(2026, 3, 18), user=lbpb.coordinator
    )

    schedule = _schedule(scheduled)
    assert schedule["d1"] == AFTER_TREATMENT["d1"]
    assert schedule["w1"] == (D(2026, 3, 25), D(2026, 3, 22), D(2026, 3, 28))
    assert Visit.objects.get(pk=d1.pk).completed_on == D(2026, 3, 17)


def test_reprojecting_the_study_after_an_amendment_moves_pending_visits_and_adds_new_ones(lbpb, scheduled):
    w1 = Visit.objects.get(participant=scheduled, visit_code="w1")
    services.visit_complete(visit=w1, completed_on=D(2026, 3, 22), user=lbpb.coordinator, require_forms=False)
    amended = (
        lbpb_text()
        .replace('protocol_version: "1.0"', 'protocol_version: "1.1"')
        .replace("anchor: treatment_start, offset_days: 7,", "anchor: treatment_start, offset_days: 8,")
        .replace("anchor: treatment_start, offset_days: 14,", "anchor: treatment_start, offset_days: 15,")
    )
    assert amended != lbpb_text()
    load_protocol(lbpb.study, amended, version="1.1")

    moved = services.visits_reproject_study(study=lbpb.study)

    schedule = _schedule(scheduled)
    assert moved == 1
    assert schedule["w1"] == AFTER_TREATMENT["w1"]  # completed: untouched
    assert schedule["w2"] == (D(2026, 3, 31), D(2026, 3, 28), D(2026, 4, 3))
    assert Visit.objects.get(pk=w1.pk).completed_on == D(2026, 3, 22)


def test_reprojecting_creates_visits_for_anchors_that_got_a_date_outside_the_services(lbpb):
    participant = enrol(lbpb)
    Visit.objects.filter(participant=participant).delete()
    assert services.visits_reproject_study(study=lbpb.study) == 1
    assert _schedule(participant) == AFTER_ENROLMENT


DEMO = """
format: 1
study:
  code: DEMO
  title: {en: "Demo", zh: "演示"}
  sponsor: {en: "Demo Hospital", zh: "演示医院"}
  target_enrolment: 10
  design: observational
  protocol_version: "1.0"
  protocol_date: 2026-01-15
  participant_id_pattern: "{study}-{site}-{seq:04d}"
sites:
  - {code: "01", name: {en: "Site one", zh: "一号中心"}, participant_id_pattern: "D{site}{seq:03d}"}
anchors:
  - {code: enrolment, label: {en: "Enrolment", zh: "入组"}}
  - {code: harvest, label: {en: "Harvest", zh: "采集"}}
  - code: injection
    label: {en: "Injection", zh: "注射"}
    expected: {anchor: harvest, offset_days: 21}
visits:
  - {code: baseline, label: {en: "Baseline", zh: "基线"}, anchor: enrolment, offset_days: 0, window_before: 0,
     window_after: 7}
  - {code: call, label: {en: "Weekly call", zh: "每周电话随访"}, anchor: injection, offset_days: 7,
     window_before: 2, window_after: 2, repeating: {every_days: 7, count: 3}, activities: {instruments: [vas]}}
eligibility:
  inclusion:
    - {code: inc_consent, text: {en: "Written consent", zh: "签署书面知情同意书"}}
"""


def test_visits_on_an_expected_anchor_are_estimated_until_its_real_date_is_entered(db):
    from accounts.services import membership_grant
    from tests.factories import SiteFactory, StudyFactory

    from .conftest import make_user

    study = StudyFactory(code="DEMO")
    site = SiteFactory(study=study, code="01")
    load_protocol(study, DEMO, filename="demo.yaml")
    user = make_user("demo-coordinator")
    membership_grant(user=user, study=study, role="coordinator", sites=[site])
    participant = services.participant_screen(
        study=study, site=site, user=user, screened_on=D(2026, 3, 2), full_name="Demo", answers={"inc_consent": True}
    )
    services.participant_consent(participant=participant, user=user, form_version="1", consented_on=D(2026, 3, 2))
    participant = services.participant_enrol(participant=participant, user=user, enrolled_on=D(2026, 3, 2))
    assert participant.identifier == "D01001"  # the site's own pattern

    services.anchor_set(participant=participant, anchor_code="harvest", date=D(2026, 3, 10), user=user)
    calls = Visit.objects.filter(participant=participant, visit_code="call").order_by("sequence")
    # injection expected 2026-03-31; calls 7, 14, 21 days later
    assert [(v.sequence, v.target_date, v.estimated) for v in calls] == [
        (1, D(2026, 4, 7), True),
        (2, D(2026, 4, 14), True),
        (3, D(2026, 4, 21), True),
    ]

    services.anchor_set(participant=participant, anchor_code="injection", date=D(2026, 4, 2), user=user)
    assert [(v.target_date, v.window_start, v.window_end, v.estimated) for v in calls.all()] == [
        (D(2026, 4, 9), D(2026, 4, 7), D(2026, 4, 11), False),
        (D(2026, 4, 16), D(2026, 4, 14), D(2026, 4, 18), False),
        (D(2026, 4, 23), D(2026, 4, 21), D(2026, 4, 25), False),
    ]
