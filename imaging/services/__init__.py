"""Writes for acquisitions. Views, the ``ingest`` command and Celery tasks all come through here."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record, diff, snapshot
from imaging.models import IngestJob
from participants.models import Participant, Visit
from participants.selectors import participants_for_user

from .dicom import series_batch
from .linking import datafile_link
from .staging import BadUpload, ZipRefused, skipped, stage_upload, unstage_all
from .steps import STEPS, ingest_run, ingest_step

__all__ = [
    "STEPS",
    "datafile_link",
    "folder_receive",
    "ingest_run",
    "ingest_step",
    "ingest_target",
    "job_retry",
    "jobs_enqueue",
    "staged_receive",
    "upload_receive",
]


def jobs_enqueue(job_ids: list[int]) -> None:
    """After the commit: one task per job, so one bad file never holds up the others."""
    from imaging.tasks import pipeline  # tasks import services; the chain is built only when needed

    def send():
        with series_batch():  # without a broker the jobs run right here: each series is then refreshed once
            for job_id in job_ids:
                signature = pipeline(job_id)
                task_id = signature.freeze().id  # recorded before sending, so a fast worker cannot race the update
                IngestJob.objects.filter(pk=job_id).update(task_id=task_id or "")
                signature.apply_async()

    transaction.on_commit(send)


def _check_target(study, participant, visit) -> None:
    if participant is not None and participant.study_id != study.pk:
        raise ValidationError(_("The participant is not in this study."))
    if visit is not None and (participant is None or visit.participant_id != participant.pk):
        raise ValidationError(_("The visit does not belong to the participant."))


def upload_receive(
    *,
    study,
    user,
    files: Iterable[tuple[str, BinaryIO]],
    participant=None,
    visit=None,
    kind: str = "",
    path: str = "page",
) -> list[IngestJob]:
    """Stage every file (zips member by member) and create one queued job per file."""
    _check_target(study, participant, visit)
    staged: list[tuple[str, str]] = []
    try:
        for name, source in files:
            staged += stage_upload(name, source)
    except BadUpload as error:
        unstage_all(staged)
        raise ValidationError(_refusal(error)) from error
    except BaseException:
        unstage_all(staged)  # nothing of a failed upload stays on disk
        raise
    return _receive(study=study, user=user, staged=staged, participant=participant, visit=visit, kind=kind, path=path)


def _receive(*, staged: list[tuple[str, str]], **kwargs) -> list[IngestJob]:
    """staged_receive, removing the staged files if its transaction does not commit (once it has, they belong to
    the jobs, even if sending the tasks then fails)."""
    committed = False

    def mark() -> None:
        nonlocal committed
        committed = True

    try:
        with transaction.atomic():
            transaction.on_commit(mark)
            return staged_receive(staged=staged, **kwargs)
    except BaseException:
        if not committed:
            unstage_all(staged)
        raise


def _refusal(error: BadUpload) -> str:
    if isinstance(error, ZipRefused):
        return _("%(name)s was refused: %(reason)s. Nothing was received; split the archive and upload the parts.") % {
            "name": error.name,
            "reason": error.reason,
        }
    return _(
        "%(name)s is a damaged zip archive (%(error)s); nothing was received. Create the archive again and upload it."
    ) % {"name": error.name, "error": error.reason}


def folder_receive(
    *, study, user, root: Path, participant=None, visit=None, kind: str = "", path: str = "command"
) -> list[IngestJob]:
    """Every file under ``root`` (zips included), for ``manage.py ingest``."""
    _check_target(study, participant, visit)
    paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file() and not skipped(p.name))
    staged: list[tuple[str, str]] = []
    try:
        for file_path in paths:
            with file_path.open("rb") as source:
                name = str(file_path.relative_to(root)) if file_path != root else file_path.name
                staged += stage_upload(name, source)
    except BadUpload as error:
        unstage_all(staged)
        raise ValidationError(_refusal(error)) from error
    except BaseException:
        unstage_all(staged)  # nothing of a failed upload stays on disk
        raise
    return _receive(study=study, user=user, staged=staged, participant=participant, visit=visit, kind=kind, path=path)


def ingest_target(*, study, identifier: str, visit_code: str, user=None) -> tuple[Participant, Visit]:
    """The participant (by study ID) and visit (by code) that files are declared for, by ``manage.py ingest`` or
    by drop-folder sub-folders. ``user`` limits the search to the user's sites; None searches the whole study
    (the drop folder, which an administrator sets up on the server)."""
    participants = participants_for_user(user) if user is not None else Participant.objects.all()
    participant = participants.filter(study=study, identifier=identifier).first()
    if participant is None:
        raise ValidationError(
            _("No participant with study ID %(code)s in study %(study)s.") % {"code": identifier, "study": study.code}
        )
    visit = Visit.objects.filter(participant=participant, visit_code=visit_code or "").order_by("sequence").first()
    if visit is None:
        raise ValidationError(
            _("Participant %(code)s has no visit %(visit)s.") % {"code": identifier, "visit": visit_code or "-"}
        )
    return participant, visit


# What the audit row of a new job says: never header contents, which the job has not read yet anyway.
JOB_AUDIT_FIELDS = ("original_name", "kind_requested", "participant", "visit", "status", "attempts")


def staged_receive(
    *,
    study,
    user,
    staged: list[tuple[str, str]],
    participant=None,
    visit=None,
    kind: str = "",
    path: str = "page",
    reason: str = "",
) -> list[IngestJob]:
    """One queued job per staged file ((name, staged name in the file storage)); every receiving route ends here."""
    _check_target(study, participant, visit)
    with transaction.atomic():
        jobs = [
            IngestJob.objects.create(
                study=study,
                original_name=name[:255],
                staged_path=staged_path,
                uploaded_by=user,
                participant=participant,
                visit=visit,
                kind_requested=kind or "",
                attempts=1,
            )
            for name, staged_path in staged
        ]
        for job in jobs:
            audit_record(
                user=user,
                action="create",
                instance=job,
                study=study,
                participant=participant,
                changes=diff({}, snapshot(job, JOB_AUDIT_FIELDS)),
                path=path,
                reason=reason,
            )
        jobs_enqueue([job.pk for job in jobs])
    return jobs


def job_retry(*, job: IngestJob, user) -> IngestJob:
    """Run a failed job again from the step that failed (earlier steps are kept)."""
    if job.status != IngestJob.Status.FAILED:
        raise PermissionDenied
    with transaction.atomic():
        job = IngestJob.objects.select_for_update().get(pk=job.pk)
        before = snapshot(job, ("status", "error", "attempts"))
        job.status, job.error, job.finished_at = IngestJob.Status.QUEUED, "", None
        job.details.pop("error", None)
        job.attempts += 1
        job.log += _("Retried by %(user)s.") % {"user": user} + "\n"
        job.save()
        audit_record(
            user=user,
            action="update",
            instance=job,
            study=job.study,
            path="page",
            changes=diff(before, snapshot(job, ("status", "error", "attempts"))),
            reason="retry",
        )
        jobs_enqueue([job.pk])
    return job
