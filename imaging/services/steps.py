"""The ingest steps, one function each: checksum -> deduplicate -> parse -> validate -> store -> derive -> link
-> finish. A step takes the job, does its work, and returns a line for the job's log. ``ingest_step`` runs one
step and turns a reader's refusal into a failed job with a reason a coordinator understands."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files import File
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.services import audit_record, diff, snapshot
from core import storage
from imaging.models import DataFile, IngestJob, Kind
from imaging.readers.edf import deidentify_edf
from imaging.readers.errors import ReaderError
from participants.models import Participant, Visit
from participants.selectors import participants_for_user

from . import dicom
from .dates import date_shift_days
from .headers import detect_format, parse_dicom, parse_edf
from .linking import datafile_link
from .staging import CHUNK, unstage

logger = logging.getLogger(__name__)
# What the steps write; never task_id or attempts, which the enqueueing side owns.
PIPELINE_FIELDS = [
    "status",
    "started_at",
    "finished_at",
    "log",
    "error",
    "steps_done",
    "staged_path",
    "details",
    "data_file",
    "duplicate",
    "sha256",
    "size",
]
DATAFILE_AUDIT_FIELDS = ["kind", "original_name", "sha256", "size", "deidentified", "link_status"]
DROP_FOLDER_USERNAME = "dropfolder"  # the system account that files from the watched drop folder are received as
STEPS = ("checksum", "deduplicate", "parse", "validate", "store", "derive", "link", "finish")
UNEXPECTED = gettext_noop(
    "The file could not be processed because of an unexpected error (%(error)s). Retry the job; "
    "if it fails again, send the job number to the data manager."
)
TIME_LIMIT = gettext_noop("Processing took longer than the time limit; retry the job or split the upload.")


class Stop(Exception):  # noqa: N818  (not an error: the job is complete early, e.g. a duplicate)
    pass


def _staged(job: IngestJob) -> Path:
    """A local path to the job's staged upload, fetched once per run (the file itself on the local folder, a
    temporary copy from object storage, removed when the run ends)."""
    local = getattr(job, "_staged_local", None)
    if local is not None:
        return local
    if not job.staged_path or not storage.exists(job.staged_path):
        raise ReaderError(
            gettext_noop("%(name)s is no longer in the upload area; upload it again."), name=job.original_name
        )
    files: ExitStack = job.__dict__.setdefault("_files", ExitStack())
    job._staged_local = files.enter_context(storage.local_copy(job.staged_path))  # type: ignore[attr-defined]
    return job._staged_local  # type: ignore[attr-defined]


def checksum(job: IngestJob) -> str:
    digest, size = hashlib.sha256(), 0
    with _staged(job).open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    if size == 0:
        raise ReaderError(
            gettext_noop("%(name)s is empty (0 bytes); copy it again from the source."), name=job.original_name
        )
    job.sha256, job.size = digest.hexdigest(), size
    return _("SHA-256 %(sha)s, %(size)d bytes.") % {"sha": job.sha256, "size": size}


def deduplicate(job: IngestJob) -> str:
    existing = DataFile.objects.filter(study=job.study, sha256=job.sha256).first()
    if existing is None:
        return _("Not received before.")
    job.data_file, job.duplicate = existing, True
    when = timezone.localtime(existing.uploaded_at).strftime("%Y-%m-%d %H:%M")
    raise Stop(
        _("The same file was already received on %(when)s; it is recorded once and not stored again.") % {"when": when}
    )


def parse(job: IngestJob) -> str:
    path = _staged(job)
    found = detect_format(path)
    if found == "dicom":
        if job.kind_requested and job.kind_requested != Kind.DICOM:
            raise ReaderError(
                gettext_noop("%(name)s is a DICOM (MRI) file, not %(kind)s."),
                translate=("kind",),
                name=job.original_name,
                kind=english(Kind(job.kind_requested).label),
            )
        details = parse_dicom(path)
    else:
        details = parse_edf(path, job.kind_requested)
    job.details = details
    return _("Read as %(kind)s.") % {"kind": Kind(details["kind"]).label}


def _recorded(job: IngestJob) -> datetime | None:
    value = job.details.get("recorded_at")
    return parse_datetime(value) if isinstance(value, str) else value


def _visit_for_date(participant: Participant, recorded: datetime | None) -> Visit | None:
    if recorded is None:
        return None
    day = timezone.localtime(recorded).date()
    visits = list(participant.visits.filter(window_start__lte=day, window_end__gte=day, cancelled=False)[:2])
    return visits[0] if len(visits) == 1 else None


def _candidates(job: IngestJob):
    """Participants a file's patient ID may name: the uploader's sites, or the whole study for the drop folder
    (set up on the server by an administrator, for the studies whose folders it holds)."""
    if job.uploaded_by.username == DROP_FOLDER_USERNAME and not job.uploaded_by.is_active:
        return Participant.objects.all()
    return participants_for_user(job.uploaded_by)


def _mapped(job: IngestJob) -> tuple[Participant | None, Visit | None, str]:
    code = (job.details.get("source_patient_id") or "").strip()
    if not code:
        return None, None, _("The file names no patient ID, so it waits to be linked by hand.")
    participant = _candidates(job).filter(study=job.study, identifier=code).first()
    if participant is None:
        return (
            None,
            None,
            _("No participant with study ID '%(code)s' at the uploader's sites; the file waits to be linked by hand.")
            % {"code": code},
        )
    visit = _visit_for_date(participant, _recorded(job))
    if visit is None:
        return (
            None,
            None,
            _(
                "Participant %(code)s has no single visit whose window contains the recording date; "
                "the file waits to be linked by hand."
            )
            % {"code": code},
        )
    job._participant = participant  # type: ignore[attr-defined]  # looked up once per run
    note = _("Matched the file's patient ID to participant %(code)s, visit %(visit)s.")
    return participant, visit, note % {"code": code, "visit": visit.visit_code}


def validate(job: IngestJob) -> str:
    if job.participant_id and job.visit_id:
        target, note = (job.participant_id, job.visit_id), _("Participant and visit chosen at upload.")
    else:
        participant, visit, note = _mapped(job)
        target = (participant.pk, visit.pk) if participant else None
    job.details = {**job.details, "link": target, "link_note": note}
    return note


def _patient_label(job: IngestJob) -> str:
    participant = _target_participant(job)
    return (participant.identifier if participant else "") or dicom.UNLINKED


def _stored_name(job: IngestJob) -> str:
    name = Path(job.staged_path).name
    if job.details["format"] == "edf" and Path(name).suffix.lower() not in (".edf", ".bdf"):
        name += ".edf"
    return name


def _target_participant(job: IngestJob) -> Participant | None:
    """The participant the file goes to, when the validate step found one; read once per run."""
    target = job.details.get("link")
    if not target:
        return None
    cached = getattr(job, "_participant", None)
    if cached is None or cached.pk != target[0]:
        cached = job._participant = Participant.objects.select_related("study").get(pk=target[0])  # type: ignore[attr-defined]
    return cached


def _write_copy(job: IngestJob, out: Path) -> dict:
    """The de-identified copy, dates moved by the participant's offset when the participant is known."""
    source, label = _staged(job), _patient_label(job)
    participant = _target_participant(job)
    shift = date_shift_days(participant=participant, user=job.uploaded_by)
    shifted = {"date_shift_of": participant.pk} if participant else {}
    if job.details["format"] == "dicom":
        header = dicom.deidentified_copy(
            source, out, study_code=job.study.code, patient_label=label, date_shift_days=shift
        )
        return {"dicom": header, **shifted}
    deidentify_edf(source, out, study_id=label, date_shift_days=shift)
    return {"edf": job.details["summary"], **shifted}


def store(job: IngestJob) -> str:
    if job.data_file_id:  # a retry after a later failure of this step: the copy is already stored
        return _("Already stored.")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / _stored_name(job)
        metadata = _write_copy(job, out)
        if not job.details.get("link"):
            metadata["source_patient_id"] = job.details.get("source_patient_id", "")
        data_file = DataFile(
            study=job.study,
            kind=job.details["kind"],
            original_name=job.original_name[:255],
            sha256=job.sha256,
            size=job.size,
            uploaded_by=job.uploaded_by,
            recorded_at=_recorded(job),
            metadata=metadata,
            deidentified=True,
        )
        try:
            with transaction.atomic(), out.open("rb") as handle:
                data_file.series = dicom.series_for(data_file)
                data_file.file.save(out.name, File(handle), save=False)
                data_file.save()
                job.data_file = data_file
                # Never metadata or recorded_at: header contents and real dates stay out of the trail. The
                # participant, once known, scopes the event to its site (the file is linked a step later).
                audit_record(
                    user=None,
                    action="create",
                    instance=data_file,
                    study=job.study,
                    participant=_target_participant(job),
                    path="system",
                    changes=diff({}, snapshot(data_file, DATAFILE_AUDIT_FIELDS)),
                )
        except IntegrityError:  # the same bytes arrived in a parallel job a moment earlier
            storage.delete(data_file.file.name)  # this job's copy, never the other job's (names are unique)
            job.data_file = None
            return deduplicate(job)
    if data_file.series_id:
        dicom.series_refresh_soon(data_file.series_id)
    return _("Stored a de-identified copy (patient fields replaced by the study ID).")


def derive(job: IngestJob) -> str:
    from .derive import measures_compute  # scipy, neurokit2: loaded by workers only, not by every web request

    count, notes = measures_compute(job.data_file)
    return " ".join([_("%(count)d derived measures computed.") % {"count": count}, *notes])


def link(job: IngestJob) -> str:
    target = job.details.get("link")
    if not target:
        queued = _("Queued for linking.")
        return f"{job.details.get('link_note', '')} {queued}"
    participant = _target_participant(job)
    visit = Visit.objects.get(pk=target[1], participant=participant)
    data_file = datafile_link(
        data_file=job.data_file,
        participant=participant,
        visit=visit,
        user=job.uploaded_by,
        relabel=False,
        path="system",
    )
    line = _("Linked to %(participant)s at visit %(visit)s.") % {"participant": participant, "visit": visit.visit_code}
    if data_file.out_of_window:
        line += " " + _("The recording date is outside the visit window.")
    return line


def finish(job: IngestJob) -> str:
    return _("Done.")


FUNCTIONS = {
    "checksum": checksum,
    "deduplicate": deduplicate,
    "parse": parse,
    "validate": validate,
    "store": store,
    "derive": derive,
    "link": link,
    "finish": finish,
}


def _append(job: IngestJob, line: str) -> None:
    stamp = timezone.localtime().strftime("%H:%M:%S")
    job.log = f"{job.log}{stamp} {line}\n"


def _close(job: IngestJob, status: str, *, error: str = "", keep_upload: bool = False) -> None:
    """End the job. Its staged upload goes once this commits, unless a retry may still need it (``keep_upload``: a
    time limit or an unexpected error, not the file's fault; the nightly sweep removes those after
    FAILED_UPLOAD_RETENTION_DAYS). The audit row records the run's outcome: a job is running from its first step,
    although a short run writes its row once, at the end."""
    before = {"status": IngestJob.Status.RUNNING, "error": getattr(job, "_error_before", job.error)}
    job.status, job.error, job.finished_at = status, error, timezone.now()
    with transaction.atomic():
        if not keep_upload and job.staged_path:
            transaction.on_commit(lambda path=job.staged_path: unstage(path))
            job.staged_path = ""
        job.save(update_fields=PIPELINE_FIELDS)
        audit_record(
            user=None,
            action="update",
            instance=job,
            study=job.study,
            path="system",
            changes=diff(before, {"status": status, "error": error}),
        )


def english(text) -> str:
    """A lazy label in English: stored as a message parameter that each page translates again."""
    with translation.override("en"):
        return str(text)


def error_message(error: dict) -> str:
    """A stored job error ({"msgid", "params", "translate"}) in the active language; params that are data (file
    names, a library's own message) are shown as they are."""
    params = dict(error.get("params") or {})
    for name in error.get("translate") or ():
        if isinstance(params.get(name), str):
            params[name] = _(params[name])
    return _(error["msgid"]) % params if params else _(error["msgid"])


def _fail(job: IngestJob, step: str, error: dict, *, keep_upload: bool = False) -> None:
    """The log reads in the worker's language and ``error`` in English (logs, API, rows older than this scheme);
    ``details["error"]`` keeps the template and its parameters so each page shows it in its viewer's language."""
    with translation.override("en"):
        text = error_message(error)
    _append(job, f"{step}: {error_message(error)}")
    job.details = {**job.details, "error": error}
    _close(job, IngestJob.Status.FAILED, error=text, keep_upload=keep_upload)


# Steps whose writes commit together. Before "store" nothing is written (a run that dies there starts again from
# the checksum, which costs milliseconds); from "store" on, a file without derived measures (MRI) is stored,
# linked and finished in one transaction; a recording whose measures take minutes (a night of PSG) commits after
# the store and after the measures, so that a worker killed meanwhile resumes at the next step.
READ_STEPS = ("checksum", "deduplicate", "parse", "validate")


def _next_group(job: IngestJob) -> tuple[str, ...]:
    remaining = STEPS[len(job.steps_done) :]
    if remaining[0] in READ_STEPS:
        return tuple(step for step in remaining if step in READ_STEPS)
    if remaining[0] in ("store", "derive") and _has_measures(job):
        return remaining[:1]
    return remaining


def _has_measures(job: IngestJob) -> bool:
    return job.details.get("kind") != Kind.DICOM


def ingest_step(*, job_id: int, step: str) -> None:
    """Run one step of a job, saving the job after it (tests and tools that walk the steps one at a time)."""
    ingest_run(job_id=job_id, only=step)


def ingest_run(*, job_id: int, only: str | None = None) -> None:
    """Run every remaining step of a job (or only ``only``, when it is the next one): a stale, repeated or
    out-of-order message does nothing, so each step runs once, in order. The participant is read once and the
    staged upload fetched once per run."""
    job = IngestJob.objects.select_related("study", "uploaded_by", "data_file").get(pk=job_id)
    if job.is_finished or len(job.steps_done) >= len(STEPS):
        return
    if only is not None and STEPS[len(job.steps_done)] != only:
        return
    if job.status == IngestJob.Status.QUEUED:
        job.status, job.started_at = IngestJob.Status.RUNNING, timezone.now()
    job._error_before = job.error  # type: ignore[attr-defined]
    with job.__dict__.setdefault("_files", ExitStack()):
        while len(job.steps_done) < len(STEPS):
            group = (only,) if only is not None else _next_group(job)
            if not _run_group(job, group, save=only is not None) or only is not None:
                return


SAVED = ("data_file", "duplicate", "steps_done", "details", "log", "staged_path", "sha256", "size")


def _run_group(job: IngestJob, group: tuple[str, ...], *, save: bool) -> bool:
    """Run ``group``, in one transaction when it writes; False when the job was closed (done early or failed)."""
    kept = {name: getattr(job, name) for name in SAVED}
    writes = save or group[0] not in READ_STEPS
    try:
        with transaction.atomic() if writes else ExitStack():
            for step in group:
                job._step = step  # type: ignore[attr-defined]
                _append(job, FUNCTIONS[step](job))
                job.steps_done = [*job.steps_done, step]
            if job.steps_done[-1] == STEPS[-1]:
                _close(job, IngestJob.Status.SUCCEEDED)  # in the same transaction as the steps' writes
                return False
            if writes:
                job.save(update_fields=PIPELINE_FIELDS)
    except Stop as stop:
        _append(job, str(stop))
        _close(job, IngestJob.Status.SUCCEEDED)
        return False
    except OperationalError:
        raise  # the database is away: the task retries the job from its last commit
    except BaseException as error:
        if writes:  # what the group wrote was rolled back: the job goes on from its state before it
            _forget_copy(job, kept["data_file"])
            for name, value in kept.items():
                setattr(job, name, value)
        return _failed(job, job._step, error)  # type: ignore[attr-defined]
    return True


def _forget_copy(job: IngestJob, kept: DataFile | None) -> None:
    """A stored copy whose row was rolled back is removed from the storage (a retry stores it again)."""
    if job.data_file is not None and kept is None and not job.duplicate and job.data_file.file.name:
        storage.delete(job.data_file.file.name)


def _failed(job: IngestJob, step: str, error: BaseException) -> bool:
    if isinstance(error, ReaderError):
        _fail(job, step, {"msgid": error.msgid, "params": error.params, "translate": list(error.translate)})
    elif isinstance(error, SoftTimeLimitExceeded):
        _fail(job, step, {"msgid": TIME_LIMIT, "params": {}}, keep_upload=True)
    elif isinstance(error, Exception):  # any other failure must end the job, never the worker
        logger.error("ingest job %s failed at %s", job.pk, step, exc_info=error)
        # What the step left in memory (details holding a NaN, say) may be what failed to save: the job fails
        # with its stored details, so the failure itself is always recorded and the job can be retried.
        job.details = IngestJob.objects.filter(pk=job.pk).values_list("details", flat=True).first() or {}
        message = {"msgid": UNEXPECTED, "params": {"error": f"{type(error).__name__}: {error}"[:300]}}
        _fail(job, step, message, keep_upload=True)
    else:
        raise error  # KeyboardInterrupt, SystemExit: not the job's failure
    return False
