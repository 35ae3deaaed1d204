"""Ingest and BIDS export end to end with the file storage on the local folder and on S3-compatible object storage
(moto's standalone server, tests/s3.py): the same services, the same rows, and for the bucket nothing left on the
local folder."""

import io
import zipfile

import pydicom
import pytest
from django.urls import reverse

from core import storage
from imaging.models import DataFile, ImagingExport
from imaging.services import datafile_link, upload_receive
from imaging.services.bids_export import export_request
from imaging.services.staging import STAGING
from tests.imaging.test_bids_export import FORBIDDEN, write_mr_series
from tests.imaging.web.conftest import PETER, make_visit, zip_of
from tests.s3 import local_files

pytestmark = pytest.mark.django_db


def stored_dicom(name: str, tmp_path) -> pydicom.Dataset:
    copy = tmp_path / "read-back.dcm"
    storage.copy_to(name, copy)
    return pydicom.dcmread(copy, stop_before_pixels=True)


def test_a_zip_of_real_mr_files_is_ingested_into_the_file_storage(
    file_storage, world, make_persona, dicomdir_tree, peter, django_capture_on_commit_callbacks, settings, tmp_path
):
    upload = zip_of(sorted((dicomdir_tree / "98892003" / "MR700").iterdir()))
    with django_capture_on_commit_callbacks(execute=True):
        jobs = upload_receive(study=world.study, user=make_persona("coordinator"), files=[("mr.zip", upload)])
    assert len(jobs) == 7
    files = list(DataFile.objects.order_by("pk"))
    assert len(files) == 7 and {f.participant_id for f in files} == {peter.pk}  # linked by the header's patient ID
    assert all(storage.exists(f.file.name) for f in files)
    stored = stored_dicom(files[0].file.name, tmp_path)
    assert stored.PatientIdentityRemoved == "YES" and str(stored.PatientID) == PETER
    series = files[0].series
    assert series.instance_count >= 1 and series.preview_png  # refreshed once, from the stored copies
    names = sorted(f.file.name for f in files)
    if file_storage is None:
        assert local_files(settings.MEDIA_ROOT) == names
        return
    assert file_storage.keys() == names  # the staged upload and its members are gone from the bucket
    assert not file_storage.keys(STAGING) and local_files(settings.MEDIA_ROOT) == []


def test_linking_by_hand_rewrites_the_stored_copy_in_place(
    file_storage, world, make_persona, dicomdir_tree, django_capture_on_commit_callbacks, tmp_path
):
    source = dicomdir_tree / "98892003" / "MR700" / "4467"
    with source.open("rb") as handle, django_capture_on_commit_callbacks(execute=True):
        upload_receive(study=world.study, user=make_persona("coordinator"), files=[("4467", handle)])
    data_file = DataFile.objects.get()
    assert str(stored_dicom(data_file.file.name, tmp_path).PatientID) == "UNLINKED"
    manager = make_persona("data_manager", all_sites=True)
    visit = make_visit(world.participant_a)
    datafile_link(data_file=data_file, participant=world.participant_a, visit=visit, user=manager)
    data_file.refresh_from_db()
    assert str(stored_dicom(data_file.file.name, tmp_path).PatientID) == world.participant_a.identifier
    if file_storage is not None:
        assert file_storage.keys() == [data_file.file.name]  # the same object, rewritten: no second copy


def test_a_bids_export_reads_the_stored_series_and_its_zip_downloads_from_the_file_storage(
    file_storage, world, make_persona, client, django_capture_on_commit_callbacks, settings, tmp_path
):
    user = make_persona("data_manager", all_sites=True)
    visit = make_visit(world.participant_a)
    files = [(path.name, io.BytesIO(path.read_bytes())) for path in write_mr_series(tmp_path / "t1", "T1 MPRAGE")]
    with django_capture_on_commit_callbacks(execute=True):
        upload_receive(study=world.study, user=user, files=files, participant=world.participant_a, visit=visit)
    with django_capture_on_commit_callbacks(execute=True):
        export = export_request(study=world.study, user=user)
    export = ImagingExport.objects.get(pk=export.pk)
    assert export.status == "done" and export.series_exported == 1, (export.error, export.log)
    client.force_login(user)
    response = client.get(reverse("imaging:export-download", args=[export.pk]))
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body) == export.zip_size
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert "alpha-bids/sub-ALPHAA0001/ses-baseline/anat/sub-ALPHAA0001_ses-baseline_T1w.nii.gz" in names
    assert not any(word in body for word in FORBIDDEN)
    if file_storage is not None:
        assert export.zip_path in file_storage.keys("exports/")
        assert local_files(settings.MEDIA_ROOT) == []  # built in a scratch folder, uploaded, scratch removed
