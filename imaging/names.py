"""File names as each reader may see them.

An uploaded file's own name often carries the patient's name ("Zhang_San_MRI.dcm"). Only the roles that may see
identifiers (accounts.capabilities.Action.SEE_IDENTIFIERS, via access.may_see_file_names) read it; every other
page, list, log and audit row shows a name made from the file's kind and number instead, with the original
extension (``dicom-12.dcm``; a job without a stored file: ``job-7.dcm``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath

from .access import may_see_file_names
from .models import DataFile, IngestJob


def extension(original_name: str) -> str:
    """The name's last suffix when it is a plain short one (``.dcm``, ``.edf``), else nothing."""
    suffix = PurePosixPath(original_name.replace("\\", "/")).suffix
    return suffix.lower() if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", suffix) else ""


def datafile_safe_name(data_file: DataFile) -> str:
    return f"{data_file.kind}-{data_file.pk}{extension(data_file.original_name)}"


def job_safe_name(job: IngestJob) -> str:
    if job.data_file_id and job.data_file is not None:
        return datafile_safe_name(job.data_file)
    return f"job-{job.pk}{extension(job.original_name)}"


def safe_name(item: DataFile | IngestJob) -> str:
    return datafile_safe_name(item) if isinstance(item, DataFile) else job_safe_name(item)


def may_read_original(user, study) -> bool:
    return user is not None and may_see_file_names(user, study)


def shown_name(user, item: DataFile | IngestJob) -> str:
    """The name ``user`` may read: the original for roles allowed identifiers, the safe name for the others
    (and when there is no reader, as in a message rendered outside a request)."""
    return item.original_name if may_read_original(user, item.study) else safe_name(item)


def _variants(original_name: str) -> list[str]:
    """The original name as it may appear in a message: whole, without folders, and as staged on disk."""
    base = PurePosixPath(original_name.replace("\\", "/")).name
    staged = re.sub(r"[^\w.\-]+", "_", base).strip("._")
    return sorted({name for name in (original_name, base, staged) if len(name) > 2}, key=len, reverse=True)


def shown_text(user, job: IngestJob, text: str) -> str:
    """A job's log or error with its file name replaced by the safe name for roles not allowed identifiers."""
    if not text or may_read_original(user, job.study):
        return text
    replacement = job_safe_name(job)
    for name in _variants(job.original_name):
        text = text.replace(name, replacement)
    return text


def datafile_safe_names(ids: Iterable[str]) -> dict[str, str]:
    """{str(pk): safe name} for the data files among ``ids`` (the audit trail's object labels)."""
    pks = [int(pk) for pk in ids if str(pk).isdigit()]
    files = DataFile.objects.filter(pk__in=pks).only("pk", "kind", "original_name")
    return {str(data_file.pk): datafile_safe_name(data_file) for data_file in files}


def job_safe_names(ids: Iterable[str]) -> dict[str, str]:
    pks = [int(pk) for pk in ids if str(pk).isdigit()]
    jobs = (
        IngestJob.objects.filter(pk__in=pks)
        .select_related("data_file")
        .only("pk", "original_name", "data_file__id", "data_file__kind", "data_file__original_name")
    )
    return {str(job.pk): job_safe_name(job) for job in jobs}
