"""A reader failure always ends its job as failed and retryable: a real EDF whose header says the record
duration is NaN or zero."""

import pytest
from django.urls import reverse

from imaging.models import IngestJob
from tests.imaging.web.conftest import named

pytestmark = pytest.mark.django_db

DURATION = slice(244, 252)  # the 8-character "duration of a data record" field of the EDF header


@pytest.fixture(params=["nan", "0", "inf", "-1"])
def bad_duration_edf(request, tmp_path, pyedflib_dir):
    data = bytearray((pyedflib_dir / "tests" / "data" / "test_generator.edf").read_bytes())
    data[DURATION] = request.param.ljust(8).encode("ascii")
    path = tmp_path / f"duration_{request.param}.edf"
    path.write_bytes(bytes(data))
    return path


def test_a_bad_record_duration_fails_the_job_and_it_can_be_retried(
    client, world, make_persona, upload, bad_duration_edf, django_capture_on_commit_callbacks
):
    client.force_login(make_persona("coordinator"))
    page = upload([named(bad_duration_edf)])
    assert page.status_code in (200, 302)
    job = IngestJob.objects.get()
    assert job.status == IngestJob.Status.FAILED, (job.status, job.log)
    assert job.error
    assert job.finished_at is not None
    detail = client.get(reverse("imaging:job-detail", args=[job.pk]))
    assert detail.status_code == 200 and "job-error" in detail.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(reverse("imaging:job-retry", args=[job.pk]))
    assert retried.status_code in (200, 302)
    job.refresh_from_db()
    assert job.status == IngestJob.Status.FAILED  # the file is still broken: failed again, never stuck running
