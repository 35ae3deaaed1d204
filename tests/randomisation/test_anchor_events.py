"""Randomising sets the randomisation anchor: week 0 of the open exercise trial (tests/fixtures/study_files/
events_exercise_trial.yaml, English only, no target enrolment) is the allocation date, with no typing.

The table is worked out by hand: enrolment on Monday 2 March 2026, randomisation through the page on Monday 9 March
2026. Week 6 = 9 March + 42 days = 20 April; week 12 = + 84 days = 1 June; week 26 = + 182 days = 7 September
(a Monday, 26 weeks on). Week 6 is for the exercise arm only.
"""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import membership_grant
from audit.models import AuditEvent
from participants import services as participant_services
from participants.models import AnchorDate, Visit
from randomisation import services
from studies.models import Study
from studies.services import protocol_load
from tests.factories import UserFactory
from workflows.services import protocol_apply

CONFIRMED = {"confirmed": "1"}  # the second step of an irreversible action

FILE = Path(__file__).resolve().parents[1] / "fixtures" / "study_files" / "events_exercise_trial.yaml"
ENROLLED = date(2026, 3, 2)
RANDOMISED = datetime(2026, 3, 9, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))

BASELINE = {"baseline": (date(2026, 3, 2), date(2026, 3, 2), date(2026, 3, 16))}  # enrolment + 0, window 0/14
# arm -> visit -> (target, window start, window end)
TABLE = {
    "exercise": BASELINE
    | {
        "w0": (date(2026, 3, 9), date(2026, 3, 9), date(2026, 3, 12)),  # window 0/3
        "w6": (date(2026, 4, 20), date(2026, 4, 13), date(2026, 4, 27)),  # window 7/7
        "w12": (date(2026, 6, 1), date(2026, 5, 25), date(2026, 6, 8)),  # window 7/7
        "w26": (date(2026, 9, 7), date(2026, 8, 24), date(2026, 9, 21)),  # window 14/14
    },
    "waitlist": BASELINE
    | {
        "w0": (date(2026, 3, 9), date(2026, 3, 9), date(2026, 3, 12)),
        "w12": (date(2026, 6, 1), date(2026, 5, 25), date(2026, 6, 8)),
        "w26": (date(2026, 9, 7), date(2026, 8, 24), date(2026, 9, 21)),
    },
}


@pytest.fixture
def trial(db):
    study = protocol_load(text=FILE.read_text(encoding="utf-8"), filename=FILE.name).study
    coordinator, statistician = UserFactory(username="exwl-coordinator"), UserFactory(username="exwl-statistician")
    membership_grant(user=coordinator, study=study, role="coordinator", all_sites=True)
    membership_grant(user=statistician, study=study, role="unblinded_statistician", all_sites=True)
    # Blocks of two: the two participants below get one arm each, whichever the seed.
    allocation_list = services.allocation_list_generate(study=study, user=statistician, size=10, block_multipliers=(1,))
    services.allocation_list_freeze(allocation_list=allocation_list, user=statistician)
    return study, coordinator


def _enrolled(study, user, name):
    participant = participant_services.participant_screen(
        study=study,
        site=study.sites.get(),
        user=user,
        screened_on=ENROLLED,
        full_name=name,
        answers={"age": 40, "inc_lbp": True},
    )
    participant_services.participant_consent(
        participant=participant, user=user, form_version="1.0", consented_on=ENROLLED
    )
    return participant_services.participant_enrol(participant=participant, user=user, enrolled_on=ENROLLED)


def _schedule(participant):
    return {
        v.visit_code: (v.target_date, v.window_start, v.window_end)
        for v in Visit.objects.filter(participant=participant)
    }


def test_the_trial_file_is_english_only_with_no_target_enrolment(trial, client):
    study, coordinator = trial
    assert study.target_enrolment == 0
    client.force_login(coordinator)
    page = client.get(reverse("studies:study-detail", args=[study.code])).content.decode()
    assert '<dd class="col-sm-9" id="target-enrolment"><span class="text-muted">not set</span></dd>' in page
    assert "Set by randomisation (the allocation date)" in page  # the anchors table of the protocol summary


def test_randomising_through_the_page_sets_week_0_and_every_visit_follows_the_hand_computed_table(
    trial, client, monkeypatch
):
    study, coordinator = trial
    people = [_enrolled(study, coordinator, name) for name in ("Chen Yi", "Zhou Er")]
    for participant in people:
        assert _schedule(participant) == BASELINE  # no arm, no week 0 yet: only the baseline
    monkeypatch.setattr(timezone, "now", lambda: RANDOMISED)
    client.force_login(coordinator)
    for participant in people:
        response = client.post(reverse("randomisation:participant-randomise", args=[participant.pk]), CONFIRMED)
        assert response.status_code == 302
    arms = set()
    for participant in people:
        participant.refresh_from_db()
        arms.add(participant.arm_code)
        assert AnchorDate.objects.get(participant=participant, anchor_code="week0").date == date(2026, 3, 9)
        assert _schedule(participant) == TABLE[participant.arm_code]
    assert arms == {"exercise", "waitlist"}
    events = AuditEvent.objects.filter(object_type="participants.anchordate", changes__anchor_code__1="week0")
    assert events.count() == 2
    assert all(e.reason.startswith("Date set by randomisation") for e in events)


def test_the_week_0_anchor_cannot_be_typed_and_the_pages_show_english_labels_to_a_chinese_viewer(
    trial, client, monkeypatch
):
    study, coordinator = trial
    participant = _enrolled(study, coordinator, "Chen Yi")
    client.force_login(coordinator)
    url = reverse("participants:anchor-set", args=[participant.pk])
    response = client.post(url, {"anchor_code": "week0", "date": "2026-03-05"})
    assert "is set by randomisation; it cannot be entered by hand." in response.content.decode()
    assert not AnchorDate.objects.filter(participant=participant, anchor_code="week0").exists()
    detail = reverse("participants:participant-detail", args=[participant.pk])
    page = client.get(detail, headers={"accept-language": "zh-hans"}).content.decode()
    assert "关键日期" in page  # the page is in Chinese...
    assert "Week 0 (randomisation)" in page and "Baseline" in page  # ...and the labels in the study's only one


def test_the_study_row_keeps_its_title_in_its_only_language(trial):
    study, _coordinator = trial
    assert Study.objects.get(pk=study.pk).title == "Exercise versus wait-list for chronic low back pain"


def test_an_amendment_that_makes_week_0_set_by_randomisation_dates_those_already_randomised(client, monkeypatch, db):
    # Version 1.0 had week 0 typed by hand; the participant is randomised under it and nobody typed week 0.
    amended = FILE.read_text(encoding="utf-8")
    typed = amended.replace(", set_by: randomisation}", "}").replace(
        'protocol_version: "1.0"', 'protocol_version: "0.9"'
    )
    study = protocol_load(text=typed, filename=FILE.name).study
    coordinator, statistician = UserFactory(username="exwl-coordinator"), UserFactory(username="exwl-statistician")
    membership_grant(user=coordinator, study=study, role="coordinator", all_sites=True)
    membership_grant(user=statistician, study=study, role="unblinded_statistician", all_sites=True)
    allocation_list = services.allocation_list_generate(study=study, user=statistician, size=10, block_multipliers=(1,))
    services.allocation_list_freeze(allocation_list=allocation_list, user=statistician)
    participant = _enrolled(study, coordinator, "Chen Yi")
    monkeypatch.setattr(timezone, "now", lambda: RANDOMISED)
    services.participant_randomise(participant=participant, user=coordinator)
    participant.refresh_from_db()
    assert _schedule(participant) == BASELINE  # week 0 not typed: nothing hangs from it yet

    protocol_apply(text=amended, filename=FILE.name, user=statistician)
    assert AnchorDate.objects.get(participant=participant, anchor_code="week0").date == date(2026, 3, 9)
    assert _schedule(participant) == TABLE[participant.arm_code]
