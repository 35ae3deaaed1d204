"""Put uploaded bytes in the staging folder without ever holding a whole file in memory.

Browser uploads arrive as temporary files (settings.FILE_UPLOAD_HANDLERS); zips are extracted member by member
with bounded copies; folders given to ``manage.py ingest`` are copied file by file.
"""

from __future__ import annotations

import re
import shutil
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

CHUNK = 1024 * 1024
STAGING = "imaging/incoming"
SKIPPED_NAMES = ("__MACOSX/", ".DS_Store", "Thumbs.db")


def skipped(name: str) -> bool:
    """Archive clutter and DICOMDIR indexes (a CD's table of contents, not an image) are not acquisitions."""
    base = Path(name.replace("\\", "/")).name
    return any(part in name for part in SKIPPED_NAMES) or base.startswith(".") or base.upper().startswith("DICOMDIR")


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def safe_name(name: str) -> str:
    """The file's own name, without folders (a zip member may say ../../etc), in plain characters."""
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\-]+", "_", base).strip("._")
    return cleaned[:150] or "file"


def stage_stream(source: BinaryIO, name: str) -> str:
    """Copy ``source`` into a fresh staging folder in 1 MiB chunks; return the path relative to MEDIA_ROOT."""
    relative = f"{STAGING}/{uuid.uuid4().hex}/{safe_name(name)}"
    target = media_path(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
    except BaseException:
        unstage(relative)  # never leave half a file behind
        raise
    return relative


def is_zip(name: str, source: BinaryIO) -> bool:
    if not name.lower().endswith(".zip"):
        return False
    position = source.tell()
    try:
        return zipfile.is_zipfile(source)
    finally:
        source.seek(position)


def stage_zip(source: BinaryIO) -> Iterator[tuple[str, str]]:
    """Yield (member name, staged path) for every file in the zip, extracting one member at a time."""
    with zipfile.ZipFile(source) as archive:
        for member in archive.infolist():
            if member.is_dir() or skipped(member.filename):
                continue
            with archive.open(member) as stream:
                yield member.filename, stage_stream(stream, member.filename)


class BadUpload(Exception):
    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name, self.reason = name, reason


def stage_upload(name: str, source: BinaryIO) -> list[tuple[str, str]]:
    """One upload: a zip becomes its members, anything else stays one file. A damaged zip stages nothing."""
    if not is_zip(name, source):
        return [(name, stage_stream(source, name))]
    staged = []
    try:
        for item in stage_zip(source):
            staged.append(item)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        for _member, path in staged:
            unstage(path)
        raise BadUpload(safe_name(name), str(error)) from error
    return staged


def unstage(relative: str) -> None:
    if not relative:
        return
    path = media_path(relative)
    path.unlink(missing_ok=True)
    if path.parent != media_path(STAGING):
        shutil.rmtree(path.parent, ignore_errors=True)
