"""The ingest chain through the real Redis broker to a real Celery worker (CI: REQUIRE_SERVICES=1)."""

import time

import pytest
from django.conf import settings

from imaging.models import DataFile, IngestJob
from imaging.services import upload_receive
from lbpb.celery import app
from tests.conftest import services_required
from tests.imaging.files import dicom_test_file
from tests.imaging.web.conftest import make_visit


@pytest.mark.xdist_group("celery-worker")  # one worker process at a time consumes the queue
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_an_upload_is_ingested_by_a_real_worker_through_the_broker(world, make_persona, dicomdir_tree):
    if not settings.CELERY_BROKER_URL:
        if services_required():
            pytest.fail("CELERY_BROKER_URL must point at Redis in CI")
        pytest.skip("no broker configured: tasks run in-process")
    from celery.contrib.testing.worker import start_worker

    assert not app.conf.task_always_eager
    visit = make_visit(world.participant_a)
    user = make_persona("coordinator")
    good = dicomdir_tree / "98892003" / "MR700" / "4467"
    app.control.purge()  # drop messages a killed earlier run may have left
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        with good.open("rb") as first, dicom_test_file("MR_truncated.dcm").open("rb") as second:
            jobs = upload_receive(
                study=world.study,
                user=user,
                files=[("4467", first), ("bad.dcm", second)],
                participant=world.participant_a,
                visit=visit,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if all(job.is_finished for job in IngestJob.objects.filter(pk__in=[j.pk for j in jobs])):
                break
            time.sleep(0.2)
    done = {job.original_name: job for job in IngestJob.objects.all()}
    assert done["4467"].status == "succeeded", done["4467"].log
    assert done["4467"].task_id  # the chain went through the broker
    assert done["bad.dcm"].status == "failed" and "truncated" in done["bad.dcm"].error
    assert DataFile.objects.get().participant == world.participant_a
