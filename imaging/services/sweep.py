"""Nightly clean-up of the staging folder: the uploads of jobs that failed long ago are removed.

A failed job keeps its upload so it can be retried; after ``FAILED_UPLOAD_RETENTION_DAYS`` the bytes go (the job
row, log and error stay; a retry then says to upload the file again).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from imaging.models import IngestJob

from .staging import unstage

FAILED_UPLOAD_RETENTION_DAYS = 30


def staged_uploads_sweep(*, older_than_days: int = FAILED_UPLOAD_RETENTION_DAYS, now: datetime | None = None) -> int:
    """Remove the staged uploads of jobs that failed more than ``older_than_days`` ago; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    stale = IngestJob.objects.filter(status=IngestJob.Status.FAILED, finished_at__lt=cutoff).exclude(staged_path="")
    removed = 0
    for job_id in stale.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            job = IngestJob.objects.select_for_update().select_related("study").get(pk=job_id)
            if job.status != IngestJob.Status.FAILED or not job.staged_path:
                continue  # retried meanwhile
            old = job.staged_path
            job.staged_path = ""
            stamp = timezone.localtime().strftime("%H:%M:%S")
            job.log += (
                stamp
                + " "
                + _(
                    "The upload was removed from the staging area %(days)d days after the job "
                    "failed; upload the file again to ingest it."
                )
                % {"days": older_than_days}
            )
            job.log += "\n"
            job.save(update_fields=["staged_path", "log"])
            audit_record(
                user=None,
                action="delete",
                instance=job,
                study=job.study,
                path="system",
                changes={"staged_path": [old, ""]},
                reason="failed upload retention",
            )
            transaction.on_commit(lambda path=old: unstage(path))
        removed += 1
    return removed
