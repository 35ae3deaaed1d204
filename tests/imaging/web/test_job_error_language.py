"""A job's error is stored as a template and shown in the language of whoever reads it, not the worker's."""

import re

import pytest
from django.urls import reverse

from imaging.models import IngestJob
from tests.imaging.web.conftest import named

pytestmark = pytest.mark.django_db


@pytest.fixture
def corrupt_edf(tmp_path, pyedflib_dir):
    """A real EDF+ cut off inside its signal headers, as an interrupted export leaves it."""
    path = tmp_path / "cut_off.edf"
    path.write_bytes((pyedflib_dir / "tests" / "data" / "test_subsecond.edf").read_bytes()[:300])
    return path


def error_shown(client, job, language: str) -> str:
    client.cookies["django_language"] = language
    page = client.get(reverse("imaging:job-detail", args=[job.pk])).content.decode()
    return re.search(r'id="job-error">(.*?)</div>', page, re.S).group(1)


def test_the_job_page_shows_a_reader_error_in_the_viewers_language(client, world, make_persona, upload, corrupt_edf):
    client.force_login(make_persona("coordinator"))
    client.cookies["django_language"] = "zh-hans"  # the upload (and the in-process worker) run in Chinese
    upload([named(corrupt_edf)])
    job = IngestJob.objects.get()
    assert job.status == "failed"
    assert job.error.startswith("cut_off.edf is not a readable EDF/EDF+ file: ")  # English for logs and old rows
    assert job.details["error"]["msgid"] == "%(name)s is not a readable EDF/EDF+ file: %(error)s"
    assert job.details["error"]["params"]["name"] == "cut_off.edf"
    chinese = error_shown(client, job, "zh-hans")
    assert chinese.startswith("cut_off.edf 不是可读取的 EDF/EDF+ 文件") and "readable" not in chinese
    english = error_shown(client, job, "en")
    assert english.startswith("cut_off.edf is not a readable EDF/EDF+ file: ")
    rows = client.get(reverse("imaging:job-rows", args=[world.study.code])).content.decode()
    assert "cut_off.edf is not a readable EDF/EDF+ file" in rows


def test_a_service_error_with_a_translated_kind_reads_in_either_language(
    client, world, make_persona, upload, dicomdir_tree
):
    client.force_login(make_persona("coordinator"))
    upload([named(dicomdir_tree / "98892003" / "MR700" / "4467")], kind="emg")
    job = IngestJob.objects.get()
    assert job.error == "4467 is a DICOM (MRI) file, not EMG."
    assert error_shown(client, job, "zh-hans") == "4467 是DICOM（磁共振）文件，不是肌电。"
    assert error_shown(client, job, "en") == "4467 is a DICOM (MRI) file, not EMG."


def test_a_row_from_before_the_templates_shows_its_stored_text(client, world, make_persona, upload, corrupt_edf):
    client.force_login(make_persona("coordinator"))
    upload([named(corrupt_edf)])
    job = IngestJob.objects.get()
    job.details = {}
    job.save(update_fields=["details"])
    assert error_shown(client, job, "zh-hans") == job.error
