"""The ingest pipeline through the upload page: real DICOM and EDF files, one job per file."""

import io
from pathlib import Path

import pydicom
import pytest
from django.urls import reverse

from imaging.models import DataFile, DicomSeries, IngestJob
from tests.imaging.files import dicom_test_file
from tests.imaging.web.conftest import named, zip_of

pytestmark = pytest.mark.django_db


def mr_files(tree):
    return sorted((tree / "98892003").rglob("*"))


def test_a_coordinator_uploads_a_zip_of_mr_files_for_a_visit_and_every_job_succeeds(
    client, world, make_persona, upload, visit_a, mri_protocol, dicomdir_tree
):
    client.force_login(make_persona("coordinator"))
    paths = [p for p in mr_files(dicomdir_tree) if p.is_file()]
    response = upload([zip_of(paths)], participant=world.participant_a.pk, visit=visit_a.pk)
    assert response.status_code == 302
    jobs = IngestJob.objects.all()
    assert jobs.count() == 17
    assert set(jobs.values_list("status", flat=True)) == {"succeeded"}
    files = DataFile.objects.filter(participant=world.participant_a, visit_code="baseline")
    assert files.count() == 17 and set(files.values_list("link_status", flat=True)) == {"linked"}
    series = DicomSeries.objects.all()
    assert series.count() == 7  # as pydicom's README and the pure grouping test count them
    assert set(series.values_list("label", flat=True)) == {"angio", "localizer"}
    assert sum(series.values_list("instance_count", flat=True)) == 17
    detail = client.get(reverse("imaging:datafile-detail", args=[files.first().pk])).content.decode()
    assert 'data-label="angio"' in detail and 'id="missing-series"' in detail
    assert 'data-label="t1w"' in detail  # expected t1w_head never arrived
    series = DicomSeries.objects.get(label="angio")
    preview = client.get(reverse("imaging:series-preview", args=[series.pk]))
    assert preview.status_code == 200 and preview.content.startswith(b"\x89PNG")
    assert preview["Content-Type"] == "image/png"


def test_the_stored_copy_is_de_identified_and_carries_the_study_id(
    client, world, make_persona, upload, visit_a, dicomdir_tree
):
    client.force_login(make_persona("coordinator"))
    source = dicomdir_tree / "98892003" / "MR700" / "4467"
    upload([named(source)], participant=world.participant_a.pk, visit=visit_a.pk)
    data_file = DataFile.objects.get()
    stored = pydicom.dcmread(data_file.file.path)
    assert str(stored.PatientName) == "ALPHA-A-0001" and stored.PatientID == "ALPHA-A-0001"
    assert stored.PatientIdentityRemoved == "YES"
    assert b"Doe^Peter" not in Path(data_file.file.path).read_bytes()
    assert stored.SeriesInstanceUID != pydicom.dcmread(source).SeriesInstanceUID
    assert "patient_name" not in data_file.metadata["dicom"]


def test_the_same_file_twice_is_recorded_once(client, world, make_persona, upload, visit_a, dicomdir_tree):
    client.force_login(make_persona("coordinator"))
    source = dicomdir_tree / "98892003" / "MR700" / "4467"
    upload([named(source)], participant=world.participant_a.pk, visit=visit_a.pk)
    upload([named(source, "copy.dcm")], participant=world.participant_a.pk, visit=visit_a.pk)
    assert DataFile.objects.count() == 1
    first, second = IngestJob.objects.order_by("pk")
    assert second.status == "succeeded" and second.duplicate and second.data_file_id == first.data_file_id
    assert "already received" in second.log


def test_a_truncated_file_in_a_zip_fails_alone_with_a_plain_reason(
    client, world, make_persona, upload, visit_a, dicomdir_tree, tmp_path
):
    client.force_login(make_persona("coordinator"))
    truncated = dicom_test_file("MR_truncated.dcm")
    good = sorted((dicomdir_tree / "98892003" / "MR700").iterdir())[:2]
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    upload([zip_of([*good, truncated, text])], participant=world.participant_a.pk, visit=visit_a.pk)
    statuses = {
        name.split("/")[-1]: status for name, status in IngestJob.objects.values_list("original_name", "status")
    }
    assert statuses == {"4467": "succeeded", "4528": "succeeded", "MR_truncated.dcm": "failed", "notes.txt": "failed"}
    failed = IngestJob.objects.get(original_name__endswith="MR_truncated.dcm")
    assert "truncated" in failed.error and "Traceback" not in failed.error
    wrong = IngestJob.objects.get(original_name__endswith="notes.txt")
    assert "neither a DICOM file nor an EDF" in wrong.error
    page = client.get(reverse("imaging:job-detail", args=[failed.pk])).content.decode()
    assert "truncated" in page and "Retry" in page
    assert DataFile.objects.count() == 2


def test_a_failed_job_can_be_retried_from_its_page(
    client, world, make_persona, upload, visit_a, dicomdir_tree, monkeypatch, django_capture_on_commit_callbacks
):
    from imaging.services import steps

    real = steps.parse_dicom
    monkeypatch.setattr(steps, "parse_dicom", lambda path: (_ for _ in ()).throw(OSError("disk unavailable")))
    client.force_login(make_persona("coordinator"))
    upload([named(dicomdir_tree / "98892003" / "MR700" / "4467")], participant=world.participant_a.pk, visit=visit_a.pk)
    job = IngestJob.objects.get()
    assert job.status == "failed" and "unexpected error" in job.error
    monkeypatch.setattr(steps, "parse_dicom", real)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imaging:job-retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 2 and job.error == ""
    assert DataFile.objects.get().participant == world.participant_a


def test_the_patient_id_links_files_to_the_participant_with_that_study_id(
    client, world, make_persona, upload, peter, dicomdir_tree
):
    client.force_login(make_persona("coordinator"))
    upload([zip_of(sorted((dicomdir_tree / "98892003" / "MR700").iterdir()))])
    files = DataFile.objects.all()
    assert files.count() == 7
    assert {f.participant_id for f in files} == {peter.pk}
    assert {f.visit_code for f in files} == {"baseline"} and not any(f.out_of_window for f in files)


def test_unlinkable_files_wait_in_the_queue_and_a_data_manager_links_them(
    client, world, make_persona, upload, visit_a, dicomdir_tree
):
    coordinator = make_persona("coordinator")
    client.force_login(coordinator)
    upload([zip_of(sorted((dicomdir_tree / "77654033" / "CR1").iterdir()))])  # Archibald: no such participant
    data_file = DataFile.objects.get()
    assert data_file.link_status == "needs_linking" and data_file.participant is None
    job = IngestJob.objects.get()
    assert job.status == "succeeded" and "waits to be linked" in job.log
    assert client.get(reverse("imaging:datafile-detail", args=[data_file.pk])).status_code == 404
    assert client.get(reverse("imaging:datafile-queue", args=["alpha"])).status_code == 403
    assert client.get(reverse("imaging:job-detail", args=[job.pk])).status_code == 200  # their own upload

    client.force_login(make_persona("data_manager", all_sites=True))
    queue = client.get(reverse("imaging:datafile-queue", args=["alpha"])).content.decode()
    assert f'data-file="{data_file.pk}"' in queue and "77654033" in queue
    link_url = reverse("imaging:datafile-link", args=[data_file.pk])
    bad = client.post(link_url, {"participant": world.participant_a.pk, "visit": ""})
    assert bad.status_code == 200 and "This field is required" in bad.content.decode()
    response = client.post(link_url, {"participant": world.participant_a.pk, "visit": visit_a.pk})
    assert response.status_code == 302
    data_file.refresh_from_db()
    assert data_file.link_status == "linked" and data_file.participant == world.participant_a
    assert data_file.out_of_window  # the CR was taken in 2001, the visit window is May 2003
    assert "source_patient_id" not in data_file.metadata
    assert pydicom.dcmread(data_file.file.path).PatientID == "ALPHA-A-0001"
    assert (
        f'data-file="{data_file.pk}"'
        not in client.get(reverse("imaging:datafile-queue", args=["alpha"])).content.decode()
    )


def test_a_visit_of_another_participant_is_refused_when_linking(client, world, make_persona, upload, dicomdir_tree):
    from tests.imaging.web.conftest import make_visit

    client.force_login(make_persona("data_manager"))
    upload([named(dicomdir_tree / "77654033" / "CR1" / "6154")])
    data_file = DataFile.objects.get()
    other_visit = make_visit(world.participant_b)
    response = client.post(
        reverse("imaging:datafile-link", args=[data_file.pk]),
        {"participant": world.participant_a.pk, "visit": other_visit.pk},
    )
    assert response.status_code == 200
    data_file.refresh_from_db()
    assert data_file.participant is None


def test_a_recording_outside_the_chosen_visit_window_is_flagged(client, world, make_persona, upload, dicomdir_tree):
    from datetime import date

    from tests.imaging.web.conftest import make_visit

    late = make_visit(world.participant_a, code="m1", start=date(2026, 1, 1), end=date(2026, 1, 8))
    client.force_login(make_persona("coordinator"))
    upload([named(dicomdir_tree / "98892003" / "MR700" / "4467")], participant=world.participant_a.pk, visit=late.pk)
    data_file = DataFile.objects.get()
    assert data_file.out_of_window and data_file.visit_code == "m1"
    page = client.get(reverse("imaging:datafile-detail", args=[data_file.pk])).content.decode()
    assert 'id="out-of-window"' in page


def test_monitors_may_not_upload_and_a_bad_form_keeps_what_was_chosen(client, world, make_persona, visit_a):
    client.force_login(make_persona("monitor"))
    assert client.get(reverse("imaging:datafile-upload", args=["alpha"])).status_code == 403
    client.force_login(make_persona("coordinator"))
    response = client.post(
        reverse("imaging:datafile-upload", args=["alpha"]), {"participant": world.participant_a.pk, "kind": "psg"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required" in page
    assert f'value="{world.participant_a.pk}" selected' in page and 'value="psg" selected' in page
    assert IngestJob.objects.count() == 0


def test_a_site_a_coordinator_cannot_choose_a_site_b_participant(client, world, make_persona, dicomdir_tree):
    client.force_login(make_persona("coordinator"))
    response = client.post(
        reverse("imaging:datafile-upload", args=["alpha"]),
        {"files": [named(dicomdir_tree / "98892003" / "MR700" / "4467")], "participant": world.participant_b.pk},
    )
    assert response.status_code == 200
    assert IngestJob.objects.count() == 0


def test_the_upload_page_speaks_chinese(client, world, make_persona):
    client.force_login(make_persona("coordinator"))
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("imaging:datafile-upload", args=["alpha"])).content.decode()
    assert "上传" in page


def test_the_job_list_shows_only_the_users_scope(client, world, make_persona, upload, visit_a, dicomdir_tree):
    from tests.imaging.web.conftest import make_visit

    client.force_login(make_persona("pi", all_sites=True))
    visit_b = make_visit(world.participant_b)
    upload([named(dicomdir_tree / "98892003" / "MR700" / "4467")], participant=world.participant_b.pk, visit=visit_b.pk)
    client.force_login(make_persona("coordinator"))
    page = client.get(reverse("imaging:job-list", args=["alpha"])).content.decode()
    assert "4467" not in page
    rows = client.get(reverse("imaging:job-rows", args=["alpha"])).content.decode()
    assert "4467" not in rows
    job = IngestJob.objects.get()
    assert client.get(reverse("imaging:job-detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("imaging:datafile-detail", args=[job.data_file_id])).status_code == 404


def test_a_damaged_zip_is_refused_on_the_form_and_nothing_is_received(
    client, world, make_persona, upload, dicomdir_tree, media_root
):
    client.force_login(make_persona("coordinator"))
    archive = zip_of(sorted((dicomdir_tree / "98892003" / "MR700").iterdir())).getvalue()
    broken = bytearray(archive)
    broken[200:400] = b"\0" * 200  # inside the first member's compressed data: its CRC no longer matches
    handle = io.BytesIO(bytes(broken))
    handle.name = "broken.zip"
    response = upload([handle])
    assert response.status_code == 200
    assert "damaged zip archive" in response.content.decode()
    assert IngestJob.objects.count() == 0
    staging = media_root / "imaging" / "incoming"
    assert not staging.exists() or not any(p.is_file() for p in staging.rglob("*"))


def test_queued_jobs_are_polled_until_they_finish_and_the_list_has_bounded_queries(
    client,
    world,
    make_persona,
    visit_a,
    dicomdir_tree,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    client.force_login(make_persona("coordinator"))
    files = [named(p) for p in sorted((dicomdir_tree / "98892003" / "MR700").iterdir())]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(
            reverse("imaging:datafile-upload", args=["alpha"]),
            {"files": files, "participant": world.participant_a.pk, "visit": visit_a.pk},
        )
    rows_url = reverse("imaging:job-rows", args=["alpha"])
    queued = client.get(rows_url).content.decode()
    assert queued.count('data-status="queued"') == 7 and 'hx-trigger="every 2s"' in queued
    for callback in callbacks:
        callback()
    with django_assert_max_num_queries(15):  # constant: session, user, study, memberships, one job query
        done = client.get(rows_url).content.decode()
    assert done.count('data-status="succeeded"') == 7 and "hx-trigger" not in done


def test_dicomdir_indexes_and_archive_clutter_in_a_zip_are_not_jobs(
    client, world, make_persona, upload, visit_a, dicomdir_tree, tmp_path
):
    client.force_login(make_persona("coordinator"))
    clutter = tmp_path / ".DS_Store"
    clutter.write_bytes(b"finder")
    good = dicomdir_tree / "98892003" / "MR700" / "4467"
    upload(
        [zip_of([dicomdir_tree / "DICOMDIR", clutter, good], names=["DICOMDIR", ".DS_Store", "MR/4467"])],
        participant=world.participant_a.pk,
        visit=visit_a.pk,
    )
    assert list(IngestJob.objects.values_list("original_name", "status")) == [("MR/4467", "succeeded")]


def test_a_chinese_speaking_coordinator_reads_the_job_and_its_reason_in_chinese(
    client, world, make_persona, upload, tmp_path
):
    client.force_login(make_persona("coordinator"))
    client.cookies["django_language"] = "zh-hans"
    notes = tmp_path / "notes.txt"
    notes.write_text("not an image")
    upload([named(notes)])
    job = IngestJob.objects.get()
    assert job.status == "failed" and "neither a DICOM file" in job.error  # stored in English, shown translated
    page = client.get(reverse("imaging:job-detail", args=[job.pk])).content.decode()
    assert "既不是DICOM文件" in page and "重试" in page and "失败" in page and "日志" in page
