"""Every write path records its changes in the audit trail: who, which action, through which path, why,
and the old and new value of each field. Driven through HTTP (pages, import, API), management commands and
services; a refused or failed write leaves no audit row."""

from datetime import date
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from accounts.services import membership_grant
from audit.models import AuditEvent
from instruments.models import Response
from participants import services as participant_services
from participants.models import AnchorDate, Participant, Visit
from studies.models import Study
from tests.factories import UserFactory
from tests.imports import post_import
from tests.matrix.instruments import alpha_with_protocol
from tests.participants import visit_pages
from tests.participants.conftest import LBPB_ELIGIBLE, lbpb_text, load_protocol
from tests.studies.conftest import dump
from tests.studies.test_protocol_load import alpha_protocol, amended
from tests.studies.test_study_pages import upload, upload_confirmed
from workflows import services as workflow_services
from workflows.services import response_submit

pytestmark = pytest.mark.django_db

Action, Path = AuditEvent.Action, AuditEvent.Path
PHQ9 = {f"phq9_{n}": "1" for n in range(1, 10)}  # total 9


def events(**filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(**filters).order_by("id"))


def one(**filters) -> AuditEvent:
    found = events(**filters)
    assert len(found) == 1, found
    return found[0]


# Participants through their pages ----------------------------------------------------------------------------


@pytest.fixture
def lbpb(db):
    study = Study.objects.create(code="LBPB", title="LBPB cohort")
    site_1 = study.sites.create(code="01", name="Site one")
    site_2 = study.sites.create(code="02", name="Site two")
    load_protocol(study, lbpb_text())
    coordinator = UserFactory(username="coord-audit")
    membership_grant(user=coordinator, study=study, role="coordinator", sites=[site_1])
    return study, site_1, site_2, coordinator


@pytest.fixture
def coordinator_client(client, lbpb):
    client.force_login(lbpb[3])
    return client


def _screen(client, study, site, **changes):
    data = {
        "site": site.pk,
        "screened_on": "2026-03-02",
        "full_name": "Li Si",
        "phone": "13800000000",
        "national_id": "110101199001011234",
        "date_of_birth": "1990-01-01",
    }
    for code, value in LBPB_ELIGIBLE.items():
        data[f"answer_{code}"] = value if code == "age" else ("yes" if value else "no")
    data.update(changes)
    return client.post(reverse("participants:participant-screen", args=[study.code]), data)


def _post(client, name, participant, data):
    response = client.post(reverse(f"participants:{name}", args=[participant.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_screening_records_the_participant_and_screening_and_never_the_identifying_values(coordinator_client, lbpb):
    study, site_1, _site_2, coordinator = lbpb
    assert _screen(coordinator_client, study, site_1).status_code == 302
    participant = Participant.objects.get()
    created = one(object_type="participants.participant", action=Action.CREATE)
    assert (created.user, created.path, created.participant, created.site) == (
        coordinator,
        Path.PAGE,
        participant,
        site_1,
    )
    assert created.changes["status"] == [None, "screening"]
    assert created.changes["screening_number"] == [None, "S-01-0001"]
    screening = one(object_type="participants.screening").changes
    assert screening["answers.age"] == [None, 45] and screening["answers.exc_mri"] == [None, False]
    assert screening["eligible"] == [None, True] and screening["screened_by"] == [None, coordinator.pk]
    identifiers = one(object_type="participants.personalidentifiers")
    assert identifiers.participant == participant
    assert identifiers.changes == {
        name: [None, participant_services.PII_MASK] for name in ("full_name", "phone", "national_id", "date_of_birth")
    }
    trail = str([event.changes for event in events()])
    assert "Li Si" not in trail and "13800000000" not in trail and "1990-01-01" not in trail


def test_a_screening_refused_by_the_form_or_the_service_leaves_no_audit_row(coordinator_client, lbpb):
    study, site_1, site_2, _coordinator = lbpb
    assert _screen(coordinator_client, study, site_1, screened_on="2099-01-01").status_code == 200  # service
    assert _screen(coordinator_client, study, site_1, screened_on="2026-02-31").status_code == 200  # form
    assert _screen(coordinator_client, study, site_2).status_code == 200  # another site
    assert not Participant.objects.exists() and not AuditEvent.objects.exists()


def test_consent_enrolment_arm_dates_visits_and_withdrawal_through_the_pages_are_audited(coordinator_client, lbpb):
    study, site_1, _site_2, coordinator = lbpb
    _screen(coordinator_client, study, site_1)
    participant = Participant.objects.get()

    _post(coordinator_client, "participant-consent", participant, {"form_version": "1.0", "consented_on": "2026-03-02"})
    consent = one(object_type="participants.consent")
    assert consent.action == Action.CREATE and consent.user == coordinator and consent.path == Path.PAGE
    assert consent.changes["form_version"] == [None, "1.0"] and consent.changes["consented_on"] == [None, "2026-03-02"]

    _post(coordinator_client, "participant-enrol", participant, {"enrolled_on": "2026-03-02"})
    enrolled = one(object_type="participants.participant", action=Action.UPDATE)
    assert enrolled.changes == {
        "identifier": ["", "LBPB-01-0001"],
        "status": ["screening", "enrolled"],
        "enrolled_on": [None, "2026-03-02"],
    }
    assert (enrolled.user, enrolled.path) == (coordinator, Path.PAGE)
    anchor = one(object_type="participants.anchordate")
    assert anchor.action == Action.CREATE and anchor.changes["date"] == [None, "2026-03-02"]
    baseline = Visit.objects.get(participant=participant, visit_code="baseline")
    projected = one(object_type="participants.visit", object_id=str(baseline.pk))
    assert (projected.action, projected.path, projected.user) == (Action.CREATE, Path.SYSTEM, coordinator)
    assert projected.reason == participant_services.WHY_ENROLMENT
    assert projected.changes["target_date"] == [None, "2026-03-02"]

    _post(coordinator_client, "participant-arm", participant, {"arm_code": "surgical"})
    arm = events(object_type="participants.participant", action=Action.UPDATE)[-1]
    assert arm.changes["arm_code"] == ["", "surgical"] and arm.changes["allocation_source"] == ["", "clinician"]
    assert arm.sensitive_fields == ["arm_code"]

    _post(coordinator_client, "anchor-set", participant, {"anchor_code": "treatment_start", "date": "2026-03-10"})
    w1 = Visit.objects.get(participant=participant, visit_code="w1")
    added = one(object_type="participants.visit", object_id=str(w1.pk))
    assert added.action == Action.CREATE and added.path == Path.SYSTEM and "treatment_start" in added.reason
    assert added.changes["target_date"] == [None, "2026-03-17"]

    _post(coordinator_client, "anchor-set", participant, {"anchor_code": "treatment_start", "date": "2026-03-12"})
    corrected = events(object_type="participants.anchordate", action=Action.UPDATE)
    assert [event.changes for event in corrected] == [{"date": ["2026-03-10", "2026-03-12"]}]
    moved = events(object_type="participants.visit", object_id=str(w1.pk), action=Action.UPDATE)[-1]
    assert moved.changes["target_date"] == ["2026-03-17", "2026-03-19"] and moved.path == Path.SYSTEM

    assert visit_pages.done(coordinator_client, baseline, "2026-03-03", why="refused").status_code == 302
    done = one(object_type="participants.visit", object_id=str(baseline.pk), action=Action.COMPLETE)
    # the protocol version the visit was done under is recorded with it (its activities stay that version's), and
    # the reason for each required form not done
    assert done.changes["completed_on"] == [None, "2026-03-03"] and done.changes["protocol_version"] == ["", "1.0"]
    assert set(done.changes["missing_forms"][1].values()) == {"refused"} and done.path == Path.PAGE
    assert visit_pages.missed(coordinator_client, w1, "declined").status_code == 302
    missed = events(object_type="participants.visit", object_id=str(w1.pk))[-1]
    assert missed.changes == {"missed": [False, True], "missed_reason": ["", "declined"]}
    assert missed.user == coordinator and missed.reason == "Declined this visit"

    _post(
        coordinator_client,
        "participant-withdraw",
        participant,
        {"withdrawn_on": "2026-04-01", "reason": "Moved to another city"},
    )
    withdrawn = events(object_type="participants.participant", action=Action.UPDATE)[-1]
    assert withdrawn.reason == "Moved to another city" and withdrawn.path == Path.PAGE
    assert withdrawn.changes["status"] == ["enrolled", "withdrawn"]
    assert withdrawn.changes["withdrawn_on"] == [None, "2026-04-01"]
    cancelled = events(object_type="participants.visit", reason=participant_services.WHY_WITHDRAWAL)
    assert cancelled and len(cancelled) == Visit.objects.filter(participant=participant, cancelled=True).count()
    assert all(e.changes == {"cancelled": [False, True]} and e.path == Path.SYSTEM for e in cancelled)
    assert {e.participant_id for e in events()} == {participant.pk}


def test_a_refused_page_action_leaves_no_audit_row(coordinator_client, lbpb):
    study, site_1, _site_2, _coordinator = lbpb
    _screen(coordinator_client, study, site_1)
    participant = Participant.objects.get()
    before = AuditEvent.objects.count()
    response = coordinator_client.post(
        reverse("participants:participant-enrol", args=[participant.pk]), {"enrolled_on": "2026-03-02"}
    )  # no consent yet
    assert response.status_code == 200 and "consent before enrolment" in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_a_failure_after_the_write_rolls_back_the_change_and_its_audit_rows_together(lbpb, monkeypatch):
    study, site_1, _site_2, coordinator = lbpb
    participant = participant_services.participant_screen(
        study=study,
        site=site_1,
        user=coordinator,
        screened_on=date(2026, 3, 2),
        full_name="Wang Wu",
        answers=dict(LBPB_ELIGIBLE),
    )
    participant_services.participant_consent(
        participant=participant, user=coordinator, form_version="1.0", consented_on=date(2026, 3, 2)
    )
    before = AuditEvent.objects.count()

    def broken(*args, **kwargs):
        raise RuntimeError("the schedule could not be projected")

    monkeypatch.setattr(participant_services.enrolment, "_reproject", broken)
    with pytest.raises(RuntimeError):
        participant_services.participant_enrol(participant=participant, user=coordinator, enrolled_on=date(2026, 3, 2))
    participant.refresh_from_db()
    assert participant.status == Participant.Status.SCREENING and not AnchorDate.objects.exists()
    assert AuditEvent.objects.count() == before


def test_reprojection_after_an_amendment_and_register_are_audited(lbpb):
    study, site_1, _site_2, coordinator = lbpb
    participant = participant_services.participant_screen(
        study=study,
        site=site_1,
        user=coordinator,
        screened_on=date(2026, 3, 2),
        full_name="Wang Wu",
        answers=dict(LBPB_ELIGIBLE),
    )
    participant_services.participant_consent(
        participant=participant, user=coordinator, form_version="1.0", consented_on=date(2026, 3, 2)
    )
    participant_services.participant_enrol(
        participant=participant, user=coordinator, enrolled_on=date(2026, 3, 2), path=Path.COMMAND
    )
    assert one(object_type="participants.participant", action=Action.UPDATE).path == Path.COMMAND
    amended_text = (
        lbpb_text()
        .replace('protocol_version: "1.0"', 'protocol_version: "1.1"')
        .replace(
            "window_after: 7, activities: {instruments: [bpi, odi, phq9]",
            "window_after: 5, activities: {instruments: [bpi, odi, phq9]",
        )
    )
    load_protocol(study, amended_text, version="1.1")

    assert participant_services.visits_reproject_study(study=study) == 1
    moved = events(object_type="participants.visit", action=Action.UPDATE)
    assert [event.changes for event in moved] == [{"window_end": ["2026-03-09", "2026-03-07"]}]
    assert moved[0].path == Path.SYSTEM and moved[0].user is None and "1.1" in moved[0].reason

    registered = participant_services.participant_register(
        study=study, site=site_1, identifier="LBPB-01-0099", user=coordinator, path=Path.IMPORT
    )
    event = one(object_type="participants.participant", object_id=str(registered.pk))
    assert (event.action, event.path, event.user) == (Action.CREATE, Path.IMPORT, coordinator)
    assert event.changes["identifier"] == [None, "LBPB-01-0099"]


# Responses: CRF page, CSV import, API, rescore --------------------------------------------------------------


@pytest.fixture
def alpha(world, make_persona):
    alpha_with_protocol(world)
    world.coordinator = make_persona("coordinator")
    return world


def _crf(client, participant, answers, *, lock_version, reason="", visit="baseline"):
    url = reverse("workflows:response-edit", args=[participant.pk, visit, "phq9"])
    return client.post(url, {**answers, "action": "complete", "lock_version": lock_version, "reason": reason})


def test_the_crf_page_records_each_changed_answer_and_score_with_the_reason(client, alpha):
    client.force_login(alpha.coordinator)
    assert _crf(client, alpha.participant_a, PHQ9, lock_version=0).status_code == 302
    created = one(object_type="instruments.response")
    assert (created.action, created.path, created.user, created.reason) == (
        Action.CREATE,
        Path.PAGE,
        alpha.coordinator,
        "",
    )
    assert created.participant == alpha.participant_a and created.site == alpha.site_a
    assert created.changes["values.phq9_1"] == [None, 1] and created.changes["scores.total"] == [None, 9]
    assert created.changes["status"] == [None, "complete"] and created.changes["source"] == [None, "coordinator"]

    refused = _crf(client, alpha.participant_a, PHQ9 | {"phq9_1": "3"}, lock_version=1)
    assert "give a reason for the change" in refused.content.decode()
    assert AuditEvent.objects.count() == 1
    invalid = _crf(client, alpha.participant_a, PHQ9 | {"phq9_1": "7"}, lock_version=1, reason="typo")
    assert invalid.status_code == 200 and AuditEvent.objects.count() == 1

    assert (
        _crf(
            client, alpha.participant_a, PHQ9 | {"phq9_1": "3"}, lock_version=1, reason="Transcription error"
        ).status_code
        == 302
    )
    changed = events(object_type="instruments.response")[-1]
    assert (changed.action, changed.reason, changed.path) == (Action.UPDATE, "Transcription error", Path.PAGE)
    assert changed.changes == {
        "values.phq9_1": [1, 3],
        "scores.total": [9, 11],
        "scores.band": ["mild", "moderate"],
        "lock_version": [1, 2],
    }
    assert Response.objects.get().revisions.last().reason == "Transcription error"


def test_a_failure_after_the_response_is_saved_leaves_neither_the_response_nor_its_audit_row(alpha, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("rules could not be evaluated")

    monkeypatch.setattr(workflow_services, "participant_reassessment_evaluate", broken)
    with pytest.raises(RuntimeError):
        response_submit(
            participant=alpha.participant_a,
            visit_code="baseline",
            activity_key="phq9",
            instrument_code="phq9",
            raw=PHQ9,
            complete=True,
            user=alpha.coordinator,
            source="coordinator",
        )
    assert not Response.objects.exists() and not AuditEvent.objects.exists()


def test_the_reassessment_flag_raised_by_a_saved_score_is_a_system_change(alpha):
    for visit in ("baseline", "m1"):
        response_submit(
            participant=alpha.participant_a,
            visit_code=visit,
            activity_key="phq9",
            instrument_code="phq9",
            raw=PHQ9,
            complete=True,
            user=alpha.coordinator,
            source="participant",
        )
    assert {e.path for e in events(object_type="instruments.response")} == {Path.PAGE}
    flag = one(object_type="participants.participant")
    assert (flag.action, flag.path, flag.user) == (Action.UPDATE, Path.SYSTEM, None)
    assert flag.changes["needs_reassessment"] == [False, True] and flag.reason == participant_services.WHY_RULES


IMPORT_HEADER = "study_id,visit,activity," + ",".join(f"phq9_{n}" for n in range(1, 10))


def _import(client, rows, **data):
    text = "\n".join(
        [IMPORT_HEADER] + [",".join([identifier, "baseline", "phq9"] + [answer] * 9) for identifier, answer in rows]
    )
    upload_file = SimpleUploadedFile("import.csv", text.encode(), content_type="text/csv")
    return post_import(
        client, reverse("workflows:response-import", args=["alpha"]), {"file": upload_file, "complete": "on", **data}
    ).content.decode()


def test_a_csv_import_records_each_saved_row_with_the_import_path_and_a_bad_file_records_nothing(client, alpha):
    client.force_login(alpha.coordinator)
    assert "Nothing was saved" in _import(client, [("ALPHA-A-0001", "1"), ("ALPHA-A-0001x", "1")])
    # Only the job itself is recorded (queued, then finished): no response and no import run.
    assert set(AuditEvent.objects.values_list("object_type", flat=True)) == {"workflows.responseimportjob"}

    _import(client, [("ALPHA-A-0001", "1")])
    assert Response.objects.count() == 1
    created = one(object_type="instruments.response", action=Action.CREATE)
    assert (created.path, created.user) == (Path.IMPORT, alpha.coordinator)
    assert created.changes["values.phq9_9"] == [None, 1] and created.changes["source"] == [None, "import"]

    _import(client, [("ALPHA-A-0001", "2")], reason="Re-keyed from paper")
    changed = one(object_type="instruments.response", action=Action.UPDATE)
    assert changed.path == Path.IMPORT and changed.reason == "Re-keyed from paper"
    assert changed.changes["values.phq9_2"] == [1, 2] and changed.changes["scores.total"] == [9, 18]
    runs = events(action=Action.IMPORT)
    assert [(e.path, e.study_id, e.changes["saved"]) for e in runs] == [(Path.IMPORT, alpha.study.pk, [None, 1])] * 2
    assert runs[1].reason == "Re-keyed from paper"


def test_the_api_records_its_writes_with_the_api_path_and_a_refused_write_records_nothing(client, alpha):
    client.force_login(alpha.coordinator)
    answers = {code: int(value) for code, value in PHQ9.items()}
    created = client.post(
        reverse("workflows:api-response-list"),
        {
            "participant": alpha.participant_a.pk,
            "visit_code": "baseline",
            "activity_key": "phq9",
            "answers": answers,
            "complete": True,
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    event = one(object_type="instruments.response")
    assert (event.action, event.path, event.user) == (Action.CREATE, Path.API, alpha.coordinator)
    assert event.object_id == str(created.json()["id"])

    detail = reverse("workflows:api-response-detail", args=[created.json()["id"]])
    bad = client.put(
        detail,
        {"answers": answers | {"phq9_4": 9}, "complete": True, "lock_version": 1, "reason": "typo"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and AuditEvent.objects.count() == 1
    no_reason = client.put(
        detail,
        {"answers": answers | {"phq9_4": 2}, "complete": True, "lock_version": 1},
        content_type="application/json",
    )
    assert no_reason.status_code == 400 and AuditEvent.objects.count() == 1

    good = client.put(
        detail,
        {
            "answers": answers | {"phq9_4": 2},
            "complete": True,
            "lock_version": 1,
            "reason": "Participant corrected item 4",
        },
        content_type="application/json",
    )
    assert good.status_code == 200
    changed = events(object_type="instruments.response")[-1]
    assert (changed.action, changed.path, changed.reason) == (Action.UPDATE, Path.API, "Participant corrected item 4")
    assert changed.changes["values.phq9_4"] == [1, 2] and changed.changes["scores.total"] == [9, 10]


def test_the_rescore_command_records_old_and_new_scores_as_a_system_change(alpha):
    response_submit(
        participant=alpha.participant_a,
        visit_code="baseline",
        activity_key="phq9",
        instrument_code="phq9",
        raw=PHQ9,
        complete=True,
        user=alpha.coordinator,
        source="coordinator",
    )
    Response.objects.update(scoring_version="0", scores={"total": 99})
    current = Response.objects.get()
    call_command("rescore")
    event = one(object_type="instruments.response", action=Action.UPDATE)
    assert (event.path, event.user, event.object_id) == (Path.SYSTEM, None, str(current.pk))
    assert event.changes["scores.total"] == [99, 9] and event.changes["scoring_version"][0] == "0"
    assert "Rescored" in event.reason
    call_command("rescore")  # nothing outdated: nothing recorded
    assert len(events(object_type="instruments.response", action=Action.UPDATE)) == 1


# Protocols: upload page and load_protocol command -----------------------------------------------------------


def test_a_protocol_upload_and_an_amendment_record_the_study_and_version_with_the_changes(client, world, make_persona):
    admin = make_persona("admin")
    client.force_login(admin)
    assert "Protocol loaded" in upload(client, world.study, dump(alpha_protocol())).content.decode()
    study_event = one(object_type="studies.study")
    assert (study_event.action, study_event.path, study_event.user) == (Action.UPDATE, Path.PAGE, admin)
    assert study_event.study == world.study and study_event.changes["protocol_version"] == ["", "1.0"]
    version = one(object_type="studies.protocolversion")
    assert version.action == Action.CREATE and version.changes["version"] == [None, "1.0"]
    assert "text" not in version.changes and len(version.changes["checksum"][1]) == 64

    bad = upload(client, world.study, dump(alpha_protocol()).replace("window_after", "windw_after"))
    assert bad.status_code == 400 and len(events(object_type__startswith="studies.")) == 2
    upload(client, world.study, dump(alpha_protocol()))  # the same file again: nothing changed, nothing recorded
    assert len(events(object_type__startswith="studies.")) == 2

    assert (
        "Amendment loaded"
        in upload_confirmed(client, world.study, dump(amended(alpha_protocol())), "a-1.1.yaml").content.decode()
    )
    amendment = events(object_type="studies.protocolversion")[-1]
    assert (amendment.user, amendment.path) == (admin, Path.PAGE)
    assert amendment.changes["version"] == [None, "1.1"]
    assert any("visit 'm3' added" in change for change in amendment.changes["changes"][1])
    assert events(object_type="studies.study")[-1].changes["protocol_version"] == ["1.0", "1.1"]


def test_the_load_protocol_command_records_a_created_study_with_the_command_path(tmp_path, db):
    path = tmp_path / "alpha.yaml"
    path.write_text(dump(alpha_protocol()), encoding="utf-8")
    call_command("load_protocol", str(path), stdout=StringIO())
    study = Study.objects.get(code="alpha")
    created = one(object_type="studies.study")
    assert (created.action, created.path, created.user, created.study) == (Action.CREATE, Path.COMMAND, None, study)
    assert created.changes["code"] == [None, "alpha"]
    version = one(object_type="studies.protocolversion")
    assert version.path == Path.COMMAND and version.study == study
    assert version.changes["changes"][1] == [change for change in study.protocol_versions.get().changes]
