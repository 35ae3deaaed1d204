"""manage.py generate_study: deterministic, valid, scheduled as the services schedule, blind, and refusing."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

import tests.test_blinding_matrix as blinding
from accounts.services import membership_grant
from audit.models import AuditEvent
from instruments.definitions import clean_responses
from instruments.models import Response
from instruments.registry import get_instrument
from instruments.services import scores_for
from monitoring.models import Signature
from monitoring.selectors import casebook_hash
from participants.models import AnchorDate, Participant, Visit
from participants.services import visits_reproject_study
from studies.models import Study
from studies.protocol import project_visits
from studies.selectors import current_protocol
from tests.factories import UserFactory

ADMSC_ARMS = ["High dose", "Mid dose", "Low dose", "Placebo", "高剂量", "中剂量", "低剂量", "安慰剂"]


def generate(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_study", *args, stdout=out)
    return out.getvalue()


def rows(study) -> dict:
    """What the run stored, without primary keys or time stamps."""
    people = Participant.objects.filter(study=study)
    return {
        "participants": list(
            people.values_list("identifier", "screening_number", "status", "enrolled_on", "arm_code", "withdrawn_on")
        ),
        "anchors": list(
            AnchorDate.objects.filter(participant__study=study)
            .order_by("participant__screening_number", "anchor_code")
            .values_list("participant__screening_number", "anchor_code", "date")
        ),
        "visits": list(
            Visit.objects.filter(participant__study=study)
            .order_by("participant__screening_number", "visit_code", "sequence")
            .values_list("participant__screening_number", "visit_code", "target_date", "completed_on", "missed")
        ),
        "responses": list(
            Response.objects.filter(participant__study=study)
            .order_by("participant__screening_number", "visit_code", "activity_key")
            .values_list("participant__screening_number", "visit_code", "activity_key", "values", "scores")
        ),
    }


@pytest.mark.django_db
def test_a_run_is_deterministic_for_a_seed_and_replace_regenerates_it():
    output = generate("--study", "lbpb", "--participants", "30", "--seed", "3")
    assert "participants.participant:" in output and " s." in output
    study = Study.objects.get(code="lbpb")
    first = rows(study)
    assert Participant.objects.filter(study=study).exclude(identifier="").count() == 30
    assert first["responses"] and any(p[2] == "withdrawn" for p in first["participants"]) is not None
    with pytest.raises(CommandError, match="already has participants"):
        generate("--study", "lbpb", "--participants", "30", "--seed", "3")
    generate("--study", "lbpb", "--participants", "30", "--seed", "3", "--replace")
    assert rows(study) == first
    batches = AuditEvent.objects.filter(study=study, object_type="synthetic.batch", path="command")
    assert batches.filter(action="import").count() == 2 and batches.filter(action="delete").count() == 1
    assert not AuditEvent.objects.filter(participant__study=study).exists()  # one event per batch, not per row


@pytest.mark.django_db
def test_ids_follow_the_site_patterns_and_casebooks_are_locked_and_signed_over_their_hash():
    generate("--study", "lbpb", "--participants", "40", "--seed", "5")
    study = Study.objects.get(code="lbpb")
    identifiers = Participant.objects.filter(study=study).exclude(identifier="").values_list("identifier", flat=True)
    assert all(i.startswith(("LBPB-01-", "LBPB-02-")) and len(i) == 12 for i in identifiers)
    assert "LBPB-01-0001" in identifiers
    for signature in Signature.objects.filter(participant__study=study):
        assert signature.content_hash == casebook_hash(signature.participant)
        assert signature.participant.locks.filter(unlocked_at__isnull=True).exists()


@pytest.mark.django_db
def test_every_stored_response_passes_its_definition_and_carries_the_computed_scores():
    generate("--study", "lbpb", "--participants", "20", "--seed", "7")
    responses = Response.objects.filter(participant__study__code="lbpb")
    assert responses.count() > 500
    for response in responses:
        instrument = get_instrument(response.instrument_code, response.definition_version)
        cleaned = clean_responses(instrument, response.values, complete=True)
        assert cleaned.ok, (response.instrument_code, cleaned.errors)
        assert cleaned.values == response.values
        assert scores_for(instrument, cleaned.values) == (response.scores, response.scoring_version)
        assert response.revisions.get().values == response.values


@pytest.mark.django_db
@pytest.mark.parametrize("study_code", ["lbpb", "admsc"])
def test_visit_dates_are_the_schedule_the_participants_services_project(study_code):
    generate("--study", study_code, "--participants", "15", "--seed", "11")
    study = Study.objects.get(code=study_code)
    protocol = current_protocol(study)
    for participant in Participant.objects.filter(study=study).exclude(enrolled_on=None):
        anchors = {a.anchor_code: a.date for a in participant.anchor_dates.all()}
        projected = project_visits(protocol, participant.arm_code or None, anchors)
        stored = participant.visits.order_by("target_date", "visit_code", "sequence")
        assert sorted((v.code, v.occurrence, v.target, v.window_end) for v in projected) == sorted(
            stored.values_list("visit_code", "sequence", "target_date", "window_end")
        )
    assert visits_reproject_study(study=study) == 0  # the services would move or add nothing


@pytest.mark.django_db
def test_the_blinded_study_shows_no_arm_to_blinded_roles(client, monkeypatch):
    generate("--study", "admsc", "--participants", "12", "--seed", "2")
    study = Study.objects.get(code="admsc")
    assert study.design == "randomised" and study.blinding == "double"
    allocated = Participant.objects.filter(study=study).exclude(arm_code="")
    assert allocated.count() == 12 and all(p.allocation.arm_code == p.arm_code for p in allocated)
    monkeypatch.setattr(blinding, "ARM_STRINGS", ADMSC_ARMS)
    pages = [
        reverse("participants:participant-list", args=["admsc"]),
        reverse("reports:consort-detail", args=["admsc"]),
    ]
    for participant in allocated[:3]:
        pages += [
            reverse("participants:participant-detail", args=[participant.pk]),
            reverse("monitoring:casebook-detail", args=[participant.pk]),
        ]
    for role in blinding.BLINDED_ROLES:
        user = UserFactory(username=f"gen-{role}")
        membership_grant(user=user, study=study, role=role, all_sites=True)
        client.force_login(user)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            assert not blinding._leaks(response), (role, url, blinding._leaks(response))
    statistician = UserFactory(username="gen-statistician")
    membership_grant(user=statistician, study=study, role="unblinded_statistician", all_sites=True)
    client.force_login(statistician)
    assert blinding._leaks(client.get(pages[2]))  # the detector sees arms where they may be shown


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, message",
    [
        (["--study", "nosuch", "--participants", "5"], "Unknown study nosuch"),
        (["--study", "lbpb", "--participants", "0"], "1 or more"),
        (["--study", "lbpb", "--participants", "-4"], "1 or more"),
        (["--study", "lbpb", "--participants", "many"], "whole number"),
    ],
)
def test_it_refuses_bad_arguments_with_a_clear_message(args, message):
    with pytest.raises(CommandError, match=message):
        generate(*args)
    assert not Participant.objects.exists()


@pytest.mark.django_db
def test_it_records_acquisitions_with_derived_measures_at_attended_visits():
    from imaging.models import DataFile, DerivedMeasure, DicomSeries

    generate("--study", "lbpb", "--participants", "40", "--seed", "5")
    files = DataFile.objects.filter(study__code="lbpb").select_related("visit", "participant")
    assert files.exists() and {f.kind for f in files} >= {"psg", "hrv", "dicom"}
    for data_file in files:
        assert data_file.link_status == "linked" and data_file.deidentified
        assert data_file.visit is not None and data_file.visit.participant_id == data_file.participant_id
        assert data_file.visit.completed_on is not None and data_file.visit_code == data_file.visit.visit_code
    psg = DerivedMeasure.objects.filter(data_file__kind="psg", name="total_sleep_time_min")
    assert psg.exists() and all(100 < m.value < 600 and m.unit == "min" for m in psg)
    mri = files.filter(kind="dicom")
    assert DicomSeries.objects.filter(files__in=mri).values("label").distinct().count() >= 3
    generate("--study", "lbpb", "--participants", "40", "--seed", "5", "--replace")  # removable, and rewritten
    assert DataFile.objects.filter(study__code="lbpb").count() == files.count()
