"""EDF recordings (synthetic PSG with a known hypnogram, real pyedflib and ECG files) and the ingest command."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from imaging.models import DataFile, DerivedMeasure, IngestJob
from tests.imaging.synthetic import HYPNOGRAM, write_psg
from tests.imaging.web.conftest import make_visit, named

pytestmark = pytest.mark.django_db


@pytest.fixture
def psg(tmp_path):
    return write_psg(tmp_path / "night.edf")


def test_a_psg_with_a_scored_hypnogram_gets_its_sleep_and_oximetry_measures(client, world, make_persona, upload, psg):
    from datetime import date

    visit = make_visit(world.participant_a, start=date(2025, 5, 1), end=date(2025, 5, 10))
    client.force_login(make_persona("coordinator"))
    upload([named(psg)], participant=world.participant_a.pk, visit=visit.pk)
    job = IngestJob.objects.get()
    assert job.status == "succeeded", job.log
    data_file = DataFile.objects.get()
    assert data_file.kind == "psg" and data_file.link_status == "linked" and not data_file.out_of_window
    measures = {m.name: m for m in DerivedMeasure.objects.filter(data_file=data_file)}
    sleep_epochs = sum(stage in ("N1", "N2", "N3", "R") for stage in HYPNOGRAM)
    assert measures["total_sleep_time_min"].value == pytest.approx(sleep_epochs / 2)
    assert measures["total_sleep_time_min"].unit == "min" and not measures["total_sleep_time_min"].is_estimate
    assert measures["desaturations"].value == 3  # three 20-s dips of 5 %, per the synthetic file
    assert measures["total_sleep_time_min"].software["python"]
    assert measures["total_sleep_time_min"].participant == world.participant_a
    stored = Path(data_file.file.path).read_bytes()
    assert b"Wang_Fang" not in stored and b"MRN123456" not in stored and b"ALPHA-A-0001" in stored[:256]
    page = client.get(reverse("imaging:datafile-detail", args=[data_file.pk])).content.decode()
    assert 'data-measure="total_sleep_time_min"' in page and "Total sleep time" in page


def test_a_real_edf_without_stages_is_stored_with_a_note_and_waits_for_linking(
    client, world, make_persona, upload, pyedflib_dir
):
    client.force_login(make_persona("coordinator"))
    upload([named(pyedflib_dir / "tests" / "data" / "test_generator.edf")])
    job = IngestJob.objects.get()
    assert job.status == "succeeded", job.log
    assert "no sleep-stage annotations" in job.log
    data_file = DataFile.objects.get()
    assert data_file.link_status == "needs_linking"
    assert data_file.metadata["source_patient_id"] == "abcxyz99"
    assert b"Hans" not in Path(data_file.file.path).read_bytes()[:256]


def test_an_ecg_recording_asked_for_as_hrv_gets_hrv_measures(client, world, make_persona, upload, signal_samples):
    client.force_login(make_persona("coordinator"))
    upload([named(signal_samples / "supine_1min.edf")], kind="hrv")
    job = IngestJob.objects.get()
    assert job.status == "succeeded", job.log
    names = set(DerivedMeasure.objects.values_list("name", flat=True))
    assert {"rmssd_ms", "sdnn_ms", "mean_hr_bpm"} <= names


def test_an_edf_asked_for_as_dicom_fails_with_a_plain_reason(client, world, make_persona, upload, psg):
    client.force_login(make_persona("coordinator"))
    upload([named(psg)], kind="dicom")
    job = IngestJob.objects.get()
    assert job.status == "failed" and "not DICOM" in job.error
    assert DataFile.objects.count() == 0


@pytest.mark.django_db(transaction=True)  # the command commits, so its on_commit hooks run as in production
def test_the_ingest_command_takes_a_folder_through_the_same_pipeline(world, make_persona, dicomdir_tree, peter, capsys):
    user = make_persona("coordinator")
    call_command("ingest", str(dicomdir_tree / "98892003" / "MR700"), study="alpha", user=user.username)
    assert IngestJob.objects.filter(status="succeeded").count() == 7
    assert DataFile.objects.filter(participant=peter, visit_code="baseline").count() == 7
    assert "7 succeeded" in capsys.readouterr().out
    call_command("ingest", str(dicomdir_tree / "98892003" / "MR700"), study="alpha", user=user.username)
    assert DataFile.objects.count() == 7 and IngestJob.objects.filter(duplicate=True).count() == 7


def test_the_ingest_command_refuses_a_user_who_may_not_upload(world, make_persona, dicomdir_tree):
    from django.core.management.base import CommandError

    monitor = make_persona("monitor")
    with pytest.raises(CommandError):
        call_command("ingest", str(dicomdir_tree / "98892003" / "MR700"), study="alpha", user=monitor.username)
    assert IngestJob.objects.count() == 0


def test_the_participant_panel_lists_files_per_visit_with_measures_and_missing_series(
    client, world, make_persona, upload, visit_a, mri_protocol, dicomdir_tree
):
    from django.template import Context, Template

    client.force_login(make_persona("coordinator"))
    upload([named(dicomdir_tree / "98892003" / "MR700" / "4467")], participant=world.participant_a.pk, visit=visit_a.pk)
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = make_persona("pi")
    html = Template("{% load imaging_tags %}{% participant_acquisitions participant %}").render(
        Context({"participant": world.participant_a, "request": request})
    )
    assert "4467" in html and "baseline" in html
    assert f"/imaging/alpha/upload/?participant={world.participant_a.pk}" in html
    assert "Missing MRI series" in html and "T1-weighted" in html and "Localizer" in html
    empty = Template("{% load imaging_tags %}{% participant_acquisitions participant %}").render(
        Context({"participant": world.participant_b})
    )
    assert "No acquisitions yet" in empty and "4467" not in empty and "/upload/" not in empty  # no request: no link
