"""The visit page (issue #16's visit flow): forms in protocol order with their status and progress, "complete and
go to the next form", done only with a reason for each required form not complete, missed only with a reason and
a confirmation, reopened by a data manager; and CONSORT counts only an unreachable participant as lost."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.services import membership_grant
from audit.models import AuditEvent
from participants.models import Visit
from reports.consort import ParticipantRow, arm_flow
from studies.selectors import parse_protocol_text
from workflows.services import response_submit

from . import visit_pages
from .conftest import enrol, lbpb_text, make_user

PHQ9 = {f"phq9_{n}": "1" for n in range(1, 10)}


@pytest.fixture
def coordinator_client(client, lbpb):
    client.force_login(lbpb.coordinator)
    return client


@pytest.fixture
def baseline(lbpb):
    participant = enrol(lbpb)
    return Visit.objects.get(participant=participant, visit_code="baseline")


def _page(client, visit):
    return client.get(reverse("participants:visit-detail", args=[visit.participant_id, visit.pk]))


def _phq9_done(lbpb, visit):
    result = response_submit(
        participant=visit.participant,
        visit_code="baseline",
        activity_key="phq9",
        instrument_code="phq9",
        raw=PHQ9,
        complete=True,
        user=lbpb.coordinator,
        source="coordinator",
    )
    assert result.ok, result.errors


def test_the_page_lists_the_forms_in_protocol_order_with_titles_status_and_progress(coordinator_client, lbpb, baseline):
    _phq9_done(lbpb, baseline)
    response = _page(coordinator_client, baseline)
    assert response.status_code == 200
    forms = response.context["forms"]
    assert [chip.key for chip in forms] == ["bpi", "odi", "phq9"]
    assert [chip.status for chip in forms] == ["not_started", "not_started", "complete"]
    assert forms[2].title == "PHQ-9"  # the instrument's (short) title, not the activity code
    page = response.content.decode()
    assert "1 of 3 required forms complete" in page and '<progress class="w-100 mb-2" max="3" value="1"' in page
    assert [chip.title for chip in response.context["other_activities"]] == [
        "Whole blood (EDTA)",
        "MRI",
    ]  # names, not codes


def test_complete_and_next_goes_to_the_next_form_not_complete_then_to_the_visit(coordinator_client, lbpb, baseline):
    _phq9_done(lbpb, baseline)
    url = reverse("workflows:response-edit", args=[baseline.participant_id, "baseline", "phq9"])
    page = coordinator_client.get(url).content.decode()
    assert 'id="complete-next"' in page
    # From the last form: the next one not complete is the first of the visit (bpi), not the completed phq9.
    answers = {**PHQ9, "action": "complete_next", "lock_version": 1, "reason": "checked again"}
    saved = coordinator_client.post(url, answers)
    assert saved.status_code == 302
    assert saved.url == reverse("workflows:response-edit", args=[baseline.participant_id, "baseline", "bpi"])


def test_done_needs_a_reason_for_each_form_not_complete_and_keeps_them(coordinator_client, lbpb, baseline):
    _phq9_done(lbpb, baseline)
    url = reverse("participants:visit-done", args=[baseline.participant_id, baseline.pk])
    refused = coordinator_client.post(url, {"completed_on": "2026-03-03", "why_bpi": "refused"})
    assert refused.status_code == 400
    assert "Give a reason for each required form that is not complete: ODI." in refused.content.decode()
    assert Visit.objects.get(pk=baseline.pk).completed_on is None
    assert not AuditEvent.objects.filter(object_type="participants.visit", action=AuditEvent.Action.COMPLETE)
    done = coordinator_client.post(url, {"completed_on": "2026-03-03", "why_bpi": "refused", "why_odi": "no time"})
    assert done.status_code == 302
    visit = Visit.objects.get(pk=baseline.pk)
    assert visit.completed_on == date(2026, 3, 3) and visit.missing_forms == {"bpi": "refused", "odi": "no time"}
    page = _page(coordinator_client, visit).content.decode()
    assert 'id="missing-forms"' in page and "no time" in page and "visit-done-form" not in page


def test_missed_needs_a_reason_and_the_confirmation(coordinator_client, lbpb, baseline):
    url = reverse("participants:visit-missed", args=[baseline.participant_id, baseline.pk])
    for data in (
        {"why": "unwell"},
        {"confirm": "on"},
        {"why": "other", "confirm": "on"},
        {"why": "x", "confirm": "on"},
    ):
        assert coordinator_client.post(url, data).status_code == 400, data
    assert not Visit.objects.get(pk=baseline.pk).missed
    page = coordinator_client.post(url, {"why": "other", "confirm": "on"}).content.decode()
    assert "Say why the visit was missed." in page
    assert visit_pages.missed(coordinator_client, baseline, "other", "travelling abroad").status_code == 302
    visit = Visit.objects.get(pk=baseline.pk)
    assert (visit.missed, visit.missed_reason, visit.missed_note) == (True, "other", "travelling abroad")
    event = AuditEvent.objects.filter(object_type="participants.visit", object_id=str(visit.pk)).latest("id")
    assert event.reason == "Other reason: travelling abroad"
    assert "Missed: Other reason — travelling abroad" in _page(coordinator_client, visit).content.decode()


def test_only_a_data_manager_reopens_a_missed_visit_and_says_why(client, coordinator_client, lbpb, baseline):
    visit_pages.missed(coordinator_client, baseline, "unwell")
    url = reverse("participants:visit-reopen", args=[baseline.participant_id, baseline.pk])
    assert coordinator_client.post(url, {"reason": "entered in error"}).status_code == 403
    manager = make_user("dm1")
    membership_grant(user=manager, study=lbpb.study, role="data_manager", all_sites=True)
    client.force_login(manager)
    assert 'id="visit-reopen-form"' in _page(client, baseline).content.decode()
    assert client.post(url, {"reason": " "}).status_code == 400
    assert client.post(url, {"reason": "entered in error"}).status_code == 302
    visit = Visit.objects.get(pk=baseline.pk)
    assert not visit.missed and visit.missed_reason == ""
    event = AuditEvent.objects.filter(object_type="participants.visit", object_id=str(visit.pk)).latest("id")
    assert (event.user, event.reason, event.changes["missed"]) == (manager, "entered in error", [True, False])


def test_the_participant_page_links_each_visit_to_its_page(coordinator_client, lbpb, baseline):
    page = coordinator_client.get(reverse("participants:participant-detail", args=[baseline.participant_id]))
    assert reverse("participants:visit-detail", args=[baseline.participant_id, baseline.pk]) in page.content.decode()


def test_only_an_unreachable_participant_counts_as_lost_to_follow_up():
    protocol = parse_protocol_text(lbpb_text(), filename="lbpb_small.yaml")
    rows = [
        ParticipantRow(status="enrolled", analysis_missed=True, analysis_lost=True),
        ParticipantRow(status="enrolled", analysis_missed=True, missed_reasons=("Unwell or in hospital",)),
        ParticipantRow(status="enrolled", analysis_missed=True, missed_reasons=("Unwell or in hospital",)),
        ParticipantRow(status="enrolled", analysis_completed=True),
    ]
    flow = arm_flow(protocol, "", "All", rows, ())
    assert (flow.lost, flow.missed_visit) == (1, 2)
    assert [(line.label, line.n) for line in flow.missed_reasons] == [("Unwell or in hospital", 2)]
