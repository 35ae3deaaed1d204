"""The BIDS export job: request (page), run (Celery worker), download and delete (page), expiry (nightly beat).
Naming and conversion: bids.py.

The zip is written next to its final name and renamed when complete, so a download never sees half a file; it is
streamed from disk to disk (member by member), never held in memory. A deleted or expired export keeps its row
(status "deleted", who and when) so the list and the audit trail still show it; only the zip goes.
"""

from __future__ import annotations

import json
import logging
import os
import zipfile
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.selectors import membership_for
from audit.models import AuditEvent
from audit.services import audit_job_result, audit_record, diff, snapshot
from core import storage
from core.jobs import job_run
from imaging.access import may_delete_export, may_export
from imaging.models import ImagingExport, export_path
from imaging.selectors import export_datafiles

from .bids import (
    ConversionError,
    convert_series,
    dcm2niix_binary,
    dcm2niix_version,
    message,
    message_english,
    plan_series,
    series_files,
    series_line,
)

logger = logging.getLogger(__name__)

BIDS_VERSION = "1.10.0"
# An export still queued or running after this long is taken as lost (worker killed): a new one may be asked for.
STALE_AFTER = timedelta(hours=6)
ACTIVE = (ImagingExport.Status.QUEUED, ImagingExport.Status.RUNNING)
RESULT_FIELDS = ("status", "subjects", "series_exported", "series_failed", "series_left_out", "zip_size", "error")
# Deleting a zip is a data manager's housekeeping; a statistician may download but not delete what others asked for.
DELETABLE = (ImagingExport.Status.DONE, ImagingExport.Status.FAILED)


def export_enqueue(export_id: int) -> None:
    from imaging.tasks import bids_export_task  # tasks import services; resolved only when needed

    def send():
        signature = bids_export_task.si(export_id)
        task_id = signature.freeze().id  # recorded before sending, so a fast worker cannot race the update
        ImagingExport.objects.filter(pk=export_id).update(task_id=task_id or "")
        signature.apply_async()

    transaction.on_commit(send)


def export_request(*, study, user, path: str = "page") -> ImagingExport:
    """Queue an export of the study's MRI within the requester's sites."""
    if not may_export(user, study):
        raise PermissionDenied
    recent = timezone.now() - STALE_AFTER
    if ImagingExport.objects.filter(study=study, requested_by=user, status__in=ACTIVE, created_at__gte=recent).exists():
        raise ValidationError(
            _("Your previous export of this study has not finished yet; wait for it before asking for another.")
        )
    membership = membership_for(user, study)
    with transaction.atomic():
        export = ImagingExport.objects.create(study=study, requested_by=user, all_sites=membership.all_sites)
        sites = [] if membership.all_sites else list(membership.sites.all())
        export.sites.set(sites)
        after = {**snapshot(export, ("status", "all_sites")), "sites": sorted(site.code for site in sites)}
        audit_record(
            user=user, action=AuditEvent.Action.CREATE, instance=export, study=study, path=path, changes=diff({}, after)
        )
        export_enqueue(export.pk)
    return export


def export_run(*, export_id: int) -> ImagingExport:
    """Build the dataset in a temporary folder and write the zip; any failure is recorded on the row."""
    return job_run(
        ImagingExport.objects.select_related("study"),
        export_id,
        running=ImagingExport.Status.RUNNING,
        fields=RESULT_FIELDS,
        work=_work,
        record=partial(audit_job_result, fields=RESULT_FIELDS),
    )


def _work(export: ImagingExport) -> None:
    try:
        with storage.scratch(f"bids-{export.pk}-") as folder:
            _build(export, Path(folder))
        export.status = ImagingExport.Status.DONE
    except Exception as error:  # noqa: BLE001 - whatever went wrong, the user sees it on the export's row
        logger.exception("BIDS export %s failed", export.pk)
        _record_failure(export, error)


def _record_failure(export: ImagingExport, error: Exception) -> None:
    """A ConversionError (no dcm2niix) is shown in the reader's language; anything else as the library said it."""
    entry = getattr(error, "entry", None) or message("%(error)s", error=str(error)[:2000] or error.__class__.__name__)
    export.status, export.error_entry = ImagingExport.Status.FAILED, entry
    export.error = message_english(entry)
    if export.zip_path:  # failed after the zip was written: no half-finished export stays downloadable
        storage.delete(export.zip_path)
        export.zip_path = ""


def _build(export: ImagingExport, work: Path) -> None:
    planned, left_out = plan_series(series_files(export_datafiles(export)))
    lines = list(left_out)
    binary = dcm2niix_binary()
    dataset = work / "dataset"
    dataset.mkdir()
    subjects, failed = set(), 0
    for item in planned:
        try:
            lines += convert_series(item, work=work, dataset=dataset, binary=binary)
        except ConversionError as error:
            failed += 1
            lines.append(series_line(item.series_id, item.description, error.entry))
        except Exception as error:  # noqa: BLE001 - one bad series must not stop the others
            logger.exception("BIDS export %s: series %s", export.pk, item.series_id)
            failed += 1
            lines.append(series_line(item.series_id, item.description, error.__class__.__name__))
        else:
            subjects.add(item.subject)
    export.subjects, export.series_failed = len(subjects), failed
    export.series_exported, export.series_left_out = len(planned) - failed, len(left_out)
    dataset_files(dataset, export=export, subjects=sorted(subjects), version=dcm2niix_version(binary))
    local_zip = work / "export.zip"
    export.zip_size = zip_folder(dataset, local_zip, top=f"{export.study.code}-bids")
    export.zip_path = storage.save_local(export_path(export.pk, export.study.code), local_zip)
    summary = message(
        gettext_noop(
            "Series exported: %(exported)d (participants: %(subjects)d); failed: %(failed)d; left out: %(left)d."
        ),
        exported=export.series_exported,
        subjects=export.subjects,
        failed=failed,
        left=export.series_left_out,
    )
    export.log_entries = [summary, *lines]
    export.log = "".join(f"{message_english(entry)}\n" for entry in export.log_entries)


def dataset_files(dataset: Path, *, export: ImagingExport, subjects: list[str], version: str) -> None:
    """dataset_description.json, participants.tsv (study IDs only: no arm, group or identifiers), README, CHANGES."""
    description = {
        "Name": export.study.title,
        "BIDSVersion": BIDS_VERSION,
        "DatasetType": "raw",
        "GeneratedBy": [{"Name": "dcm2niix", "Version": version or "unknown"}],
    }
    (dataset / "dataset_description.json").write_text(
        json.dumps(description, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    rows = "".join(f"sub-{subject}\n" for subject in subjects)
    (dataset / "participants.tsv").write_text("participant_id\n" + rows, encoding="utf-8")
    (dataset / "participants.json").write_text(
        json.dumps({"participant_id": {"Description": "Study ID with punctuation removed"}}, indent=2) + "\n",
        encoding="utf-8",
    )
    day = timezone.localdate().isoformat()
    (dataset / "README").write_text(
        f"{export.study.title}: MRI exported as BIDS on {day} (export #{export.pk}).\n\n"
        "Images come from the de-identified stored DICOM copies: subjects carry study IDs, dates are shifted per\n"
        "participant, and sidecars were written by dcm2niix with patient fields removed. Sessions are visit codes.\n",
        encoding="utf-8",
    )
    (dataset / "CHANGES").write_text(f"1.0.0 {day}\n  - Export #{export.pk}.\n", encoding="utf-8")


def zip_folder(folder: Path, target: Path, *, top: str) -> int:
    """Zip ``folder`` under ``top/``, member by member; NIfTI is already gzip-compressed, so it is stored as is."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                compression = zipfile.ZIP_STORED if path.name.endswith(".gz") else zipfile.ZIP_DEFLATED
                archive.write(path, f"{top}/{path.relative_to(folder).as_posix()}", compress_type=compression)
    except BaseException:
        partial.unlink(missing_ok=True)  # a full disk must not leave half a zip behind
        raise
    os.replace(partial, target)
    return target.stat().st_size


def export_download(*, export: ImagingExport, user) -> str:
    """The stored name of a finished export's zip, recorded in the audit trail as an export of study data."""
    if export.status == ImagingExport.Status.DELETED:
        day = timezone.localtime(export.deleted_at).strftime("%Y-%m-%d") if export.deleted_at else "-"
        raise ValidationError(
            _("This export was deleted on %(day)s and its zip removed; ask for a new export.") % {"day": day}
        )
    if export.status != ImagingExport.Status.DONE or not export.zip_path:
        raise ValidationError(_("This export has no zip to download yet."))
    if not storage.exists(export.zip_path):
        raise ValidationError(_("The zip of this export is no longer on the server; ask for a new export."))
    audit_record(user=user, action=AuditEvent.Action.EXPORT, instance=export, study=export.study, reason="download")
    return export.zip_path


def export_delete(*, export: ImagingExport, user, path: str = AuditEvent.Path.PAGE) -> ImagingExport:
    """Remove a finished or failed export's zip and mark the row deleted by ``user``."""
    if not may_delete_export(user, export.study):
        raise PermissionDenied
    deleted = _mark_deleted(export.pk, user=user, path=path, reason="")
    if deleted is None:
        raise ValidationError(_("Only a finished or failed export can be deleted."))
    return deleted


def exports_expire(*, now=None) -> int:
    """Nightly (beat): delete the zips of exports finished more than IMAGING_EXPORT_KEEP_DAYS ago (0: keep them)."""
    days = settings.IMAGING_EXPORT_KEEP_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    old = ImagingExport.objects.filter(status__in=DELETABLE, finished_at__lt=cutoff).values_list("pk", flat=True)
    reason = f"expired: kept {days} days (IMAGING_EXPORT_KEEP_DAYS)"
    return sum(_mark_deleted(pk, user=None, path=AuditEvent.Path.SYSTEM, reason=reason) is not None for pk in list(old))


def _mark_deleted(export_id: int, *, user, path: str, reason: str) -> ImagingExport | None:
    """Locks the row so a download, a second delete or the sweep racing this one sees the final state; None when
    it is not (or no longer) deletable. The file goes once the row says so."""
    with transaction.atomic():
        export = ImagingExport.objects.select_for_update().select_related("study").get(pk=export_id)
        if export.status not in DELETABLE:
            return None
        before = snapshot(export, ("status", "zip_path"))
        zip_path = export.zip_path
        export.status, export.zip_path = ImagingExport.Status.DELETED, ""
        export.deleted_at, export.deleted_by = timezone.now(), user
        export.save(update_fields=["status", "zip_path", "deleted_at", "deleted_by"])
        audit_record(
            user=user,
            action=AuditEvent.Action.DELETE,
            instance=export,
            study=export.study,
            path=path,
            reason=reason,
            changes=diff(before, snapshot(export, ("status", "zip_path"))),
        )
        if zip_path:
            transaction.on_commit(lambda: storage.delete(zip_path))
    return export
