"""CRF entry only where the participant's schedule has it (participants.selectors.scheduled_activity), on every
path: the CRF page (GET and POST), the CSV import and the API (POST and PUT).

The study is tests/fixtures/study_files/sched_waitlist_trial.yaml: an open exercise vs wait-list trial with an
exercise-only visit (``session``), an exercise-only form at the shared baseline (``bpi``), six-month forms on an
optional surgery anchor (``post_op_m6``) and an unscheduled visit (``unplanned``).
"""

import html as html_text
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.services import membership_grant
from instruments.models import Response
from instruments.registry import get_instrument
from participants import services as participant_services
from studies.protocol import ProtocolError
from studies.selectors import parse_protocol_text, protocol_summary
from tests.factories import ParticipantFactory, SiteFactory, StudyFactory, UserFactory
from tests.imports import post_import
from tests.matrix.instruments import attach_protocol
from workflows.services import responses_import

from .conftest import form_post, full_answers

STUDY_FILE = Path(__file__).parents[2] / "fixtures" / "study_files" / "sched_waitlist_trial.yaml"


@pytest.fixture
def trial(db):
    study = StudyFactory(code="SCHED", title="Exercise or wait-list")
    site = SiteFactory(study=study, code="01", name="Site one")
    attach_protocol(study, STUDY_FILE.read_text(encoding="utf-8"), filename="sched_waitlist_trial.yaml")
    coordinator = UserFactory(username="sched-coordinator")
    membership_grant(user=coordinator, study=study, role="coordinator", sites=[site])
    return SimpleNamespace(
        study=study,
        coordinator=coordinator,
        exercise=ParticipantFactory(site=site, identifier="SCHED-01-0001", arm_code="exercise"),
        waitlist=ParticipantFactory(site=site, identifier="SCHED-01-0002", arm_code="waitlist"),
    )


def page(participant, visit: str, activity: str) -> str:
    return reverse("workflows:response-edit", args=[participant.pk, visit, activity])


def text(response) -> str:
    return html_text.unescape(response.content.decode())


def answers(code: str) -> dict:
    return full_answers(get_instrument(code))


API = "workflows:api-response-list"
# (visit, activity, what the wait-list participant is told)
EXERCISE_ONLY = [
    ("session", "bpi", "it is for other arms only"),  # the visit
    ("baseline", "bpi", "Form 'bpi' at visit 'baseline' is not on this participant's schedule"),  # the activity
]


@pytest.mark.parametrize(("visit", "activity", "reason"), EXERCISE_ONLY)
def test_the_page_refuses_an_exercise_only_form_to_a_wait_list_participant(client, trial, visit, activity, reason):
    client.force_login(trial.coordinator)
    shown = client.get(page(trial.waitlist, visit, activity))
    assert shown.status_code == 404 and reason in text(shown)
    posted = client.post(page(trial.waitlist, visit, activity), form_post(answers(activity)))
    assert posted.status_code == 404 and reason in text(posted)
    assert not Response.objects.exists()
    assert client.get(page(trial.exercise, visit, activity)).status_code == 200
    assert client.post(page(trial.exercise, visit, activity), form_post(answers(activity))).status_code == 302
    assert Response.objects.get().participant == trial.exercise


def test_the_refusal_is_worded_in_chinese_too(client, trial):
    client.force_login(trial.coordinator)
    shown = client.get(page(trial.waitlist, "session", "bpi"), headers={"accept-language": "zh-hans"})
    assert "仅适用于其他组别" in shown.content.decode()


def _api_post(client, participant, visit, activity):
    body = {"participant": participant.pk, "visit_code": visit, "activity_key": activity}
    body |= {"answers": answers(activity), "complete": True}
    return client.post(reverse(API), body, content_type="application/json")


@pytest.mark.parametrize(("visit", "activity", "reason"), EXERCISE_ONLY)
def test_the_api_answers_409_with_the_reason_and_saves_nothing(client, trial, visit, activity, reason):
    client.force_login(trial.coordinator)
    refused = _api_post(client, trial.waitlist, visit, activity)
    assert refused.status_code == 409
    message = refused.json()["errors"]["schedule"]
    assert reason in message["en"] and "未保存" in message["zh"]
    assert not Response.objects.exists()
    assert _api_post(client, trial.exercise, visit, activity).status_code == 201


def test_the_api_answers_404_with_the_reason_for_a_visit_the_protocol_does_not_have(client, trial):
    client.force_login(trial.coordinator)
    refused = _api_post(client, trial.waitlist, "m99", "odi")
    assert refused.status_code == 404
    assert "no visit 'm99'" in refused.json()["errors"]["schedule"]["en"]
    assert not Response.objects.exists()


def _off_schedule_response(participant, visit="session", activity="bpi") -> Response:
    """Answers saved before the schedule was checked (as the defect allowed)."""
    return Response.objects.create(
        participant=participant,
        visit_code=visit,
        activity_key=activity,
        instrument_code=activity,
        definition_version="1.0",
        values={"bpi_3": 4},
        status=Response.Status.IN_PROGRESS,
        lock_version=1,
    )


def test_answers_saved_off_schedule_before_the_fix_stay_readable_and_cannot_be_changed(client, trial):
    stored = _off_schedule_response(trial.waitlist)
    client.force_login(trial.coordinator)
    detail = reverse("workflows:api-response-detail", args=[stored.pk])
    assert client.get(detail).json()["values"] == {"bpi_3": 4}
    body = {"answers": answers("bpi"), "complete": True, "lock_version": 1, "reason": "late entry"}
    put = client.put(detail, body, content_type="application/json")
    assert put.status_code == 409 and "other arms only" in put.json()["errors"]["schedule"]["en"]
    patch = client.patch(detail, {"answers": {"bpi_3": 5}, "lock_version": 1}, content_type="application/json")
    assert patch.status_code == 409
    shown = client.get(page(trial.waitlist, "session", "bpi"))
    html = shown.content.decode()
    assert shown.status_code == 200 and 'id="not-scheduled-banner"' in html and "fieldset disabled" in html
    assert client.post(page(trial.waitlist, "session", "bpi"), form_post(answers("bpi"))).status_code == 404
    stored.refresh_from_db()
    assert stored.values == {"bpi_3": 4} and stored.lock_version == 1


def _csv(rows: list[tuple[str, str, str]], instrument: str) -> str:
    values = answers(instrument)
    header = "study_id,visit,activity," + ",".join(values)
    return "\n".join([header] + [",".join([*row, *values.values()]) for row in rows])


def _import(client, csv_text: str) -> str:
    url = reverse("workflows:response-import", args=["SCHED"])
    upload = {"file": _upload(csv_text), "complete": "on"}
    return text(post_import(client, url, upload))


def _upload(csv_text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("import.csv", csv_text.encode(), content_type="text/csv")


@pytest.mark.parametrize(("visit", "activity", "reason"), EXERCISE_ONLY)
def test_the_import_refuses_the_row_with_its_reason_and_saves_no_row(client, trial, visit, activity, reason):
    client.force_login(trial.coordinator)
    text = _csv([("SCHED-01-0001", visit, activity), ("SCHED-01-0002", visit, activity)], activity)
    html = _import(client, text)
    assert "Nothing was saved" in html and reason in html
    assert not Response.objects.exists()  # all or nothing: the exercise participant's good row is not saved either
    html = _import(client, _csv([("SCHED-01-0001", visit, activity)], activity))
    assert "1 form saved." in html or "1 forms saved." in html
    assert Response.objects.count() == 1


def test_the_import_report_gives_the_refused_rows_line(trial):
    text = _csv([("SCHED-01-0001", "session", "bpi"), ("SCHED-01-0002", "session", "bpi")], "bpi")
    report = responses_import(study=trial.study, csv_text=text, user=trial.coordinator)
    refused = [row for row in report.rows if row.status == "refused"]
    assert [row.number for row in refused] == [report.rows[1].number]
    assert "other arms only" in refused[0].messages[0]
    assert not Response.objects.exists()


def test_surgery_forms_appear_only_once_the_surgery_date_is_set(client, trial):
    client.force_login(trial.coordinator)
    before = Response.objects.count()
    shown = client.get(page(trial.exercise, "post_op_m6", "phq9"))
    assert shown.status_code == 404 and "reckoned from the Surgery date" in shown.content.decode()
    assert client.post(page(trial.exercise, "post_op_m6", "phq9"), form_post(answers("phq9"))).status_code == 404
    assert _api_post(client, trial.exercise, "post_op_m6", "phq9").status_code == 409
    assert "Surgery date" in _import(client, _csv([("SCHED-01-0001", "post_op_m6", "odi")], "odi"))
    assert Response.objects.count() == before
    participant_services.anchor_set(
        participant=trial.exercise, anchor_code="surgery", date=date(2026, 2, 1), user=trial.coordinator
    )
    assert client.get(page(trial.exercise, "post_op_m6", "phq9")).status_code == 200
    assert _api_post(client, trial.exercise, "post_op_m6", "phq9").status_code == 201
    assert "Nothing was saved" not in _import(client, _csv([("SCHED-01-0001", "post_op_m6", "odi")], "odi"))
    assert Response.objects.count() == before + 2


def test_an_unscheduled_visit_takes_entry_for_either_arm_with_no_anchor(client, trial):
    client.force_login(trial.coordinator)
    for participant in (trial.exercise, trial.waitlist):
        assert client.post(page(participant, "unplanned", "odi"), form_post(answers("odi"))).status_code == 302
    assert Response.objects.filter(visit_code="unplanned").count() == 2


def test_a_participant_not_yet_enrolled_has_no_forms(client, trial):
    screening = ParticipantFactory(site=trial.exercise.site, identifier="", status="screening")
    client.force_login(trial.coordinator)
    assert client.get(page(screening, "baseline", "odi")).status_code == 404
    assert not Response.objects.exists()


def test_the_participant_page_links_the_unscheduled_visit_forms_once_enrolled(client, trial):
    client.force_login(trial.coordinator)
    html = client.get(reverse("participants:participant-detail", args=[trial.waitlist.pk])).content.decode()
    assert 'id="unscheduled-forms"' in html and page(trial.waitlist, "unplanned", "odi") in html
    screening = ParticipantFactory(site=trial.exercise.site, identifier="", status="screening")
    assert client.post(page(screening, "unplanned", "odi"), form_post(answers("odi"))).status_code == 404
    html = client.get(reverse("participants:participant-detail", args=[screening.pk])).content.decode()
    assert 'id="unscheduled-forms"' not in html
    assert not Response.objects.exists()


def test_the_schedule_table_does_not_count_the_unscheduled_visit(trial):
    summary = protocol_summary(trial.study)
    assert "unplanned" not in [row.visit.code for row in summary["visits"]]
    assert [visit.code for visit in summary["unscheduled"]] == ["unplanned"]
    assert all(len(row.cells) == len(summary["visits"]) for row in summary["schedule"])


def test_an_unscheduled_visit_cannot_be_an_analysis_visit():
    text = STUDY_FILE.read_text(encoding="utf-8") + "analysis_visits: [unplanned]\n"
    with pytest.raises(ProtocolError) as refused:
        parse_protocol_text(text, filename="sched_waitlist_trial.yaml")
    assert "analysis_visits[0]: visit 'unplanned' is unscheduled" in str(refused.value)
