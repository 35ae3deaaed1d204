"""Acquisitions are clinical records: every write of the ingest pipeline leaves an audit row."""

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from imaging.models import DataFile, DateShift, DerivedMeasure, IngestJob
from tests.imaging.files import dicom_test_file
from tests.imaging.synthetic import write_psg
from tests.imaging.web.conftest import ARCHIBALD, make_visit, named, zip_of

pytestmark = pytest.mark.django_db


def rows(object_type, **filters):
    return list(AuditEvent.objects.filter(object_type=object_type, **filters).order_by("id"))


def no_header_identity(*secrets):
    dumped = json.dumps([[e.changes, e.object_label, e.reason] for e in AuditEvent.objects.all()])
    for secret in secrets:
        assert secret not in dumped


def test_an_upload_that_succeeds_records_the_job_the_file_its_link_and_the_final_status(
    client, world, make_persona, upload, visit_a, dicomdir_tree
):
    coordinator = make_persona("coordinator")
    client.force_login(coordinator)
    upload([named(dicomdir_tree / "98892003" / "MR700" / "4467")], participant=world.participant_a.pk, visit=visit_a.pk)
    job, data_file = IngestJob.objects.get(), DataFile.objects.get()
    assert job.status == "succeeded", job.log

    [created] = rows("imaging.ingestjob", action="create")
    assert created.path == "page" and created.user == coordinator and created.object_id == str(job.pk)
    assert created.study == world.study and created.participant == world.participant_a
    assert created.changes["original_name"] == [None, "4467"]

    [stored] = rows("imaging.datafile", action="create")
    assert stored.path == "system" and stored.user is None and stored.object_id == str(data_file.pk)
    assert stored.changes["sha256"] == [None, data_file.sha256] and "metadata" not in stored.changes

    [linked] = rows("imaging.datafile", action="update")
    assert linked.path == "system" and linked.participant == world.participant_a
    assert linked.changes["participant"] == [None, world.participant_a.pk]
    assert linked.changes["visit_code"] == ["", "baseline"]

    [final] = rows("imaging.ingestjob", action="update")
    assert final.path == "system" and final.changes == {"status": ["running", "succeeded"]}
    no_header_identity("Doe^Peter", "98890234", "date_shift", "days")


def test_a_corrupt_file_records_the_failure_with_its_reason(client, world, make_persona, upload, visit_a):
    client.force_login(make_persona("coordinator"))
    upload([named(dicom_test_file("MR_truncated.dcm"))], participant=world.participant_a.pk, visit=visit_a.pk)
    job = IngestJob.objects.get()
    assert job.status == "failed"
    [final] = rows("imaging.ingestjob", action="update")
    assert final.path == "system" and final.user is None
    assert final.changes["status"] == ["running", "failed"]
    assert final.changes["error"] == ["", job.error] and "truncated" in job.error
    assert rows("imaging.datafile") == []


def test_linking_from_the_queue_records_old_and_new_participant_and_visit(
    client, world, make_persona, upload, visit_a, dicomdir_tree
):
    client.force_login(make_persona("coordinator"))
    upload([zip_of(sorted((dicomdir_tree / "77654033" / "CR1").iterdir()))])  # no participant with that ID
    data_file = DataFile.objects.get()
    assert data_file.link_status == "needs_linking"
    assert rows("imaging.datafile", action="update") == []

    manager = make_persona("data_manager", all_sites=True)
    client.force_login(manager)
    bad = client.post(
        reverse("imaging:datafile-link", args=[data_file.pk]), {"participant": world.participant_a.pk, "visit": ""}
    )
    assert bad.status_code == 200 and rows("imaging.datafile", action="update") == []
    response = client.post(
        reverse("imaging:datafile-link", args=[data_file.pk]),
        {"participant": world.participant_a.pk, "visit": visit_a.pk},
    )
    assert response.status_code == 302
    [linked] = rows("imaging.datafile", action="update")
    assert linked.path == "page" and linked.user == manager and linked.participant == world.participant_a
    assert linked.changes["participant"] == [None, world.participant_a.pk]
    assert linked.changes["visit"] == [None, visit_a.pk]
    assert linked.changes["visit_code"] == ["", "baseline"]
    assert linked.changes["link_status"] == ["needs_linking", "linked"]
    shift = DateShift.objects.get(participant=world.participant_a)
    [shift_row] = rows("imaging.dateshift")
    assert str(shift.days) not in json.dumps(shift_row.changes)  # the offset exists; its value is not recorded
    no_header_identity(ARCHIBALD, "Archibald")


def test_a_retry_records_who_queued_the_job_again(
    client, world, make_persona, upload, visit_a, dicomdir_tree, monkeypatch, django_capture_on_commit_callbacks
):
    from imaging.services import steps

    real = steps.parse_dicom
    monkeypatch.setattr(steps, "parse_dicom", lambda path: (_ for _ in ()).throw(OSError("disk unavailable")))
    coordinator = make_persona("coordinator")
    client.force_login(coordinator)
    upload([named(dicomdir_tree / "98892003" / "MR700" / "4467")], participant=world.participant_a.pk, visit=visit_a.pk)
    job = IngestJob.objects.get()
    monkeypatch.setattr(steps, "parse_dicom", real)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imaging:job-retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "succeeded"
    updates = rows("imaging.ingestjob", action="update")
    assert [(e.path, e.changes["status"]) for e in updates] == [
        ("system", ["running", "failed"]),
        ("page", ["failed", "queued"]),
        ("system", ["running", "succeeded"]),
    ]
    retried = updates[1]
    assert retried.user == coordinator and retried.changes["attempts"] == [1, 2]
    assert retried.changes["error"][1] == ""


def test_the_ingest_command_records_its_path(world, make_persona, dicomdir_tree, django_capture_on_commit_callbacks):
    user = make_persona("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ingest", str(dicomdir_tree / "98892003" / "MR700" / "4467"), study="alpha", user=user.username)
    [created] = rows("imaging.ingestjob", action="create")
    assert created.path == "command" and created.user == user


def test_derived_measures_are_recorded_with_name_value_and_unit(client, world, make_persona, upload, tmp_path):
    visit = make_visit(world.participant_a, start=date(2025, 5, 1), end=date(2025, 5, 10))
    client.force_login(make_persona("coordinator"))
    upload([named(write_psg(tmp_path / "night.edf"))], participant=world.participant_a.pk, visit=visit.pk)
    measure = DerivedMeasure.objects.get(name="total_sleep_time_min")
    [row] = rows("imaging.derivedmeasure", object_id=str(measure.pk))
    assert row.action == "create" and row.path == "system" and row.user is None and row.study == world.study
    assert row.changes["name"] == [None, "total_sleep_time_min"]
    assert row.changes["value"] == [None, measure.value] and row.changes["unit"] == [None, "min"]
    assert len(rows("imaging.derivedmeasure")) == DerivedMeasure.objects.count()
    no_header_identity("Wang_Fang", "MRN123456")
