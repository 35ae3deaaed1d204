"""The nightly sweep removes the staged uploads of jobs that failed long ago, and nothing else."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from imaging.models import IngestJob
from imaging.services.staging import media_path
from imaging.services.sweep import staged_uploads_sweep
from imaging.tasks import staged_uploads_sweep_task
from lbpb.celery import app
from tests.imaging.files import dicom_test_file
from tests.imaging.web.conftest import named

pytestmark = pytest.mark.django_db


def test_old_failed_uploads_are_removed_and_recent_or_successful_ones_stay(
    client, world, make_persona, upload, visit_a, dicomdir_tree, django_capture_on_commit_callbacks, monkeypatch
):
    from imaging.services import steps

    # Only a failure that a retry may cure (here an unexpected error) keeps the upload; a file its reader
    # refuses is removed at once (test_zip_limits_django).
    monkeypatch.setattr(steps, "parse_dicom", lambda path: (_ for _ in ()).throw(OSError("disk unavailable")))
    client.force_login(make_persona("coordinator"))
    upload(
        [named(dicom_test_file("MR_truncated.dcm"), "old.dcm")], participant=world.participant_a.pk, visit=visit_a.pk
    )
    upload(
        [named(dicom_test_file("MR_truncated.dcm"), "recent.dcm")], participant=world.participant_a.pk, visit=visit_a.pk
    )
    old, recent = IngestJob.objects.get(original_name="old.dcm"), IngestJob.objects.get(original_name="recent.dcm")
    assert old.status == recent.status == "failed" and old.staged_path and recent.staged_path
    IngestJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=31))
    old_file, recent_file = media_path(old.staged_path), media_path(recent.staged_path)

    with django_capture_on_commit_callbacks(execute=True):
        assert staged_uploads_sweep_task.delay().get() == 1
    old.refresh_from_db()
    assert not old_file.exists() and old.staged_path == "" and "upload the file again" in old.log
    assert recent_file.exists() and IngestJob.objects.get(pk=recent.pk).staged_path
    assert AuditEvent.objects.filter(object_type="imaging.ingestjob", object_id=str(old.pk), action="delete").exists()
    assert staged_uploads_sweep(older_than_days=30) == 0  # nothing left to do

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imaging:job-retry", args=[old.pk]))
    old.refresh_from_db()
    assert old.status == "failed" and "upload it again" in old.error  # a retry says what to do
    assert "imaging.tasks.staged_uploads_sweep_task" in {e["task"] for e in app.conf.beat_schedule.values()}
