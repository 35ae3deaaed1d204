"""The watched drop folder: scanners and PSG workstations copy files into ``IMAGING_DROP_FOLDER``.

Layout: ``<drop folder>/<study code>/<anything>/file``. Under the study folder, ``<participant study ID>/<visit
code>/`` links the files to that visit when both match the study; any other layout is linked from the file's
header, or waits in the linking queue, as an upload does. A scan (Celery beat every minute, or ``manage.py
watch_dropfolder``) moves every settled file into the staging area and queues a normal ingest job, received as
the system account ``dropfolder``; the checksum step recognises a file dropped twice.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from core import storage
from imaging.models import IngestJob
from studies.models import Study

from . import ingest_target, staged_receive
from .staging import STAGING, BadUpload, is_zip, media_path, safe_name, skipped, stage_stream, stage_upload, unstage
from .steps import DROP_FOLDER_USERNAME

logger = logging.getLogger(__name__)
# Names copy programs give a file while it is still being written (browsers, WinSCP, rsync --partial).
PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".filepart", ".download")
AUDIT_REASON = "drop folder"
_reported: set[str] = set()  # what this process has already logged once (unknown study folders, bad zips)


def _log_once(key: str, message: str, *args) -> None:
    if key not in _reported:
        _reported.add(key)
        logger.warning(message, *args)


def dropfolder_user():
    """The account drop-folder jobs are received as: inactive with no usable password, so nobody can log in as it."""
    user, created = get_user_model().objects.get_or_create(
        username=DROP_FOLDER_USERNAME, defaults={"is_active": False, "display_name": "Drop folder"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def settled(path: Path, settle_seconds: int, now: float) -> bool:
    """Unchanged for ``settle_seconds``: a file still being copied is left for a later scan.

    ctime as well as mtime, because copy programs that keep the source's modification time (cp -p, robocopy,
    Explorer) set an old mtime, while ctime moves with every write and every metadata change and cannot be set.
    """
    info = path.stat()
    return now - max(info.st_mtime, info.st_ctime) >= settle_seconds


def _candidates(folder: Path, settle_seconds: int, now: float) -> list[Path]:
    paths = []
    for path in sorted(folder.rglob("*")):
        relative = str(path.relative_to(folder))
        if (
            path.is_file()
            and not skipped(relative)
            and not path.name.lower().endswith(PARTIAL_SUFFIXES)
            and settled(path, settle_seconds, now)
        ):
            paths.append(path)
    return paths


def _declared_target(study: Study, folders: tuple[str, ...]):
    """(participant, visit) named by the first two sub-folders, when both match; else (None, None)."""
    if len(folders) < 2:
        return None, None
    try:
        return ingest_target(study=study, identifier=folders[0], visit_code=folders[1])
    except ValidationError:
        return None, None  # not a participant/visit layout: the header decides, as for an upload


def _move_in(path: Path) -> str:
    """Move ``path`` into a fresh staging folder; return its staged name in the file storage.

    A rename when the drop folder and MEDIA_ROOT share a file system (atomic: the file is in one place or the
    other); otherwise a copy, then the original is removed. If the original cannot be removed, the copy is,
    so the file stays in the drop folder and is never both queued and left behind.
    """
    relative = f"{STAGING}/{uuid.uuid4().hex}/{safe_name(path.name)}"
    if storage.is_local():
        target = media_path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(path, target)
            return relative
        except OSError:
            target.parent.rmdir()
            if not path.exists():
                raise
    with path.open("rb") as source:
        relative = stage_stream(source, path.name)
    try:
        path.unlink()
    except OSError:
        unstage(relative)
        raise
    return relative


def _put_back(relative: str, path: Path) -> None:
    """Return a staged file to where it was dropped (a job could not be created): nothing is lost."""
    try:
        if storage.is_local():
            os.rename(media_path(relative), path)
        else:
            storage.copy_to(relative, path)
    except OSError:
        logger.exception("drop folder: %s could not be returned; it is kept at %s", path, relative)
        return
    unstage(relative)


def _expand(name: str, relative: str) -> list[tuple[str, str]]:
    """A dropped zip becomes its members, as an uploaded zip does; anything else stays one file. The zip itself
    stays staged until its jobs exist, so that it can still go back to the drop folder."""
    with storage.local_copy(relative) as local, local.open("rb") as handle:
        if not is_zip(name, handle):
            return [(name, relative)]
        return [(f"{name}/{member}", staged) for member, staged in stage_upload(name, handle)]


def _take(study: Study, root: Path, path: Path, user) -> list[IngestJob]:
    name = str(path.relative_to(root))
    participant, visit = _declared_target(study, path.relative_to(root / study.code).parts[:-1])
    try:
        relative = _move_in(path)
    except FileNotFoundError:
        return []  # a parallel scan took it a moment earlier
    except OSError as error:
        logger.warning(
            "drop folder: %s could not be moved into the staging area (%s); it is left in place", path, error
        )
        return []
    try:
        staged = _expand(name, relative)
    except BadUpload as error:
        _put_back(relative, path)
        _log_once(
            f"zip:{path}:{path.stat().st_mtime}",
            "drop folder: %s is a damaged zip (%s); it is left in place",
            path,
            error.reason,
        )
        return []
    members = [staged_path for _member, staged_path in staged if staged_path != relative]
    try:
        jobs = staged_receive(
            study=study,
            user=user,
            staged=staged,
            participant=participant,
            visit=visit,
            path="system",
            reason=AUDIT_REASON,
        )
    except Exception:
        for staged_path in members:
            unstage(staged_path)
        _put_back(relative, path)
        raise
    if staged != [(name, relative)]:
        unstage(relative)  # the zip, now that its members are jobs (none, for an empty zip)
    return jobs


def dropfolder_scan(*, now: float | None = None) -> list[IngestJob]:
    """One pass over ``IMAGING_DROP_FOLDER``: a queued job per settled file. Nothing when the setting is empty."""
    if not settings.IMAGING_DROP_FOLDER:
        return []
    root = Path(settings.IMAGING_DROP_FOLDER)
    if not root.is_dir():
        _log_once(f"root:{root}", "drop folder: IMAGING_DROP_FOLDER %s is not a folder", root)
        return []
    now = time.time() if now is None else now
    studies = {study.code: study for study in Study.objects.filter(is_active=True)}
    jobs, user = [], None
    for folder in sorted(root.iterdir()):
        if skipped(folder.name):
            continue
        study = studies.get(folder.name) if folder.is_dir() else None
        if study is None:
            _log_once(f"unknown:{folder}", "drop folder: %s does not name an active study; it is left in place", folder)
            continue
        for path in _candidates(folder, settings.IMAGING_DROP_SETTLE_SECONDS, now):
            user = user or dropfolder_user()
            jobs += _take(study, root, path, user)
    return jobs
