"""Put uploaded bytes in the staging folder without ever holding a whole file in memory.

Browser uploads arrive as temporary files (settings.FILE_UPLOAD_HANDLERS); zips are extracted member by member
with bounded copies; folders given to ``manage.py ingest`` are copied file by file.

A zip is held to the IMAGING_ZIP_* limits twice: first from its directory (member count, each member's and the
total declared size, compression ratio) before a byte is written, then while extracting, by the bytes actually
written (a zip's headers can lie). A refused or damaged zip leaves nothing in the staging folder.
"""

from __future__ import annotations

import re
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core import storage

CHUNK = 1024 * 1024
# Small members may compress very well (a header of zeros) and are harmless: the ratio counts above this size.
RATIO_FLOOR = 1024 * 1024
STAGING = "imaging/incoming"
SKIPPED_NAMES = ("__MACOSX/", ".DS_Store", "Thumbs.db")


def skipped(name: str) -> bool:
    """Archive clutter and DICOMDIR indexes (a CD's table of contents, not an image) are not acquisitions."""
    base = Path(name.replace("\\", "/")).name
    return any(part in name for part in SKIPPED_NAMES) or base.startswith(".") or base.upper().startswith("DICOMDIR")


def media_path(relative: str) -> Path:
    """The staged file on the local folder (tests and the drop folder's rename); see core.storage for S3."""
    return Path(settings.MEDIA_ROOT) / relative


def safe_name(name: str) -> str:
    """The file's own name, without folders (a zip member may say ../../etc), in plain characters."""
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\-]+", "_", base).strip("._")
    return cleaned[:150] or "file"


class _Bounded:
    """Reads ``source`` in CHUNK pieces and stops as soon as more than ``budget`` bytes came (None: no bound)."""

    def __init__(self, source: BinaryIO, budget: int | None):
        self.source, self.budget, self.read_so_far = source, budget, 0

    def read(self, size: int = -1) -> bytes:
        want = CHUNK if size is None or size < 0 else min(size, CHUNK)
        if self.budget is not None:
            want = min(want, self.budget - self.read_so_far + 1)
        chunk = self.source.read(want)
        self.read_so_far += len(chunk)
        if self.budget is not None and self.read_so_far > self.budget:
            raise _Overrun(self.read_so_far)
        return chunk


class _Overrun(Exception):
    def __init__(self, written: int):
        super().__init__(written)
        self.written = written


def stage_stream(source: BinaryIO, name: str, *, budget: int | None = None) -> str:
    """Copy ``source`` into a fresh staging folder of the storage in 1 MiB chunks; return its stored name. With
    ``budget``, more than that many bytes raise ``_Overrun`` (and nothing stays)."""
    return stage_counted(source, name, budget=budget)[0]


def stage_counted(source: BinaryIO, name: str, *, budget: int | None = None) -> tuple[str, int]:
    relative = f"{STAGING}/{uuid.uuid4().hex}/{safe_name(name)}"
    try:
        return storage.save_stream(relative, _Bounded(source, budget))  # type: ignore[arg-type]
    except BaseException:
        unstage(relative)  # never leave half a file behind
        raise


def is_zip(name: str, source: BinaryIO) -> bool:
    if not name.lower().endswith(".zip"):
        return False
    position = source.tell()
    try:
        return zipfile.is_zipfile(source)
    finally:
        source.seek(position)


class BadUpload(Exception):
    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name, self.reason = name, reason


class ZipRefused(BadUpload):
    """A zip over one of the IMAGING_ZIP_* limits; ``reason`` says which limit and the numbers, translated."""


@dataclass(frozen=True)
class ZipLimits:
    members: int
    member_bytes: int
    total_bytes: int
    ratio: int

    @classmethod
    def from_settings(cls) -> ZipLimits:
        return cls(
            members=settings.IMAGING_ZIP_MAX_MEMBERS,
            member_bytes=settings.IMAGING_ZIP_MAX_MEMBER_BYTES,
            total_bytes=settings.IMAGING_ZIP_MAX_TOTAL_BYTES,
            ratio=settings.IMAGING_ZIP_MAX_RATIO,
        )


def _too_big(name: str, member: str, size: int, limit: int) -> ZipRefused:
    reason = _("%(member)s expands to %(size)s; one file in a zip may be at most %(limit)s.") % {
        "member": member,
        "size": filesizeformat(size),
        "limit": filesizeformat(limit),
    }
    return ZipRefused(name, reason)


def _too_much(name: str, size: int, limit: int) -> ZipRefused:
    reason = _("the zip expands to %(size)s in all; a zip may expand to at most %(limit)s.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(limit),
    }
    return ZipRefused(name, reason)


def _too_dense(name: str, member: str, ratio: float, limit: int) -> ZipRefused:
    reason = _("%(member)s expands to %(ratio)d times its compressed size; at most %(limit)d times is accepted.") % {
        "member": member,
        "ratio": ratio,
        "limit": limit,
    }
    return ZipRefused(name, reason)


def _zip_too_dense(name: str, ratio: float, limit: int) -> ZipRefused:
    reason = _("the zip expands to %(ratio)d times its own size; at most %(limit)d times is accepted.") % {
        "ratio": ratio,
        "limit": limit,
    }
    return ZipRefused(name, reason)


def _ratio(size: int, compressed: int) -> float:
    return size / max(compressed, 1)


def _check_directory(name: str, members: list[zipfile.ZipInfo], limits: ZipLimits, archive_size: int) -> None:
    """Refuse from the zip's directory alone, before anything is written."""
    if len(members) > limits.members:
        reason = _("the zip holds %(count)d files; a zip may hold at most %(limit)d.") % {
            "count": len(members),
            "limit": limits.members,
        }
        raise ZipRefused(name, reason)
    total = 0
    for member in members:
        if member.file_size > limits.member_bytes:
            raise _too_big(name, member.filename, member.file_size, limits.member_bytes)
        if member.file_size > RATIO_FLOOR and _ratio(member.file_size, member.compress_size) > limits.ratio:
            raise _too_dense(name, member.filename, _ratio(member.file_size, member.compress_size), limits.ratio)
        total += member.file_size
    if total > limits.total_bytes:
        raise _too_much(name, total, limits.total_bytes)
    if total > RATIO_FLOOR and _ratio(total, archive_size) > limits.ratio:
        raise _zip_too_dense(name, _ratio(total, archive_size), limits.ratio)


def _archive_size(source: BinaryIO) -> int:
    position = source.tell()
    try:
        return source.seek(0, 2)
    finally:
        source.seek(position)


def stage_zip(source: BinaryIO, name: str = "upload.zip") -> Iterator[tuple[str, str]]:
    """Yield (member name, staged path) for every file in the zip, extracting one member at a time, within the
    IMAGING_ZIP_* limits: checked on the directory first, then on the bytes really written. The headers can lie
    (a member's compressed size too), the archive's own size cannot: the whole zip may expand to at most
    IMAGING_ZIP_MAX_RATIO times the bytes that were uploaded."""
    limits = ZipLimits.from_settings()
    archive_size = _archive_size(source)
    whole = max(RATIO_FLOOR, limits.ratio * archive_size)
    with zipfile.ZipFile(source) as archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not skipped(m.filename)]
        _check_directory(name, members, limits, archive_size)
        written = 0
        for member in members:
            budgets = {
                "member": limits.member_bytes,
                "total": limits.total_bytes - written,
                "ratio": max(RATIO_FLOOR, limits.ratio * member.compress_size),
                "whole": whole - written,
            }
            try:
                with archive.open(member) as stream:
                    staged, size = stage_counted(stream, member.filename, budget=min(budgets.values()))
            except _Overrun as overrun:
                raise _overrun_refusal(name, member, overrun.written, written, budgets, limits) from None
            written += size
            yield member.filename, staged


def _overrun_refusal(
    name: str, member: zipfile.ZipInfo, size: int, before: int, budgets: dict[str, int], limits: ZipLimits
) -> ZipRefused:
    """Which limit the bytes actually written crossed: the smallest budget."""
    limit = min(budgets, key=lambda key: budgets[key])
    if limit == "member":
        return _too_big(name, member.filename, size, limits.member_bytes)
    if limit == "total":
        return _too_much(name, before + size, limits.total_bytes)
    if limit == "ratio":
        return _too_dense(name, member.filename, _ratio(size, member.compress_size), limits.ratio)
    return _zip_too_dense(name, _ratio(before + size, budgets["whole"] + before) * limits.ratio, limits.ratio)


ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


def stage_upload(name: str, source: BinaryIO) -> list[tuple[str, str]]:
    """One upload: a zip becomes its members, anything else stays one file. A damaged or refused zip (or any
    failure half-way, a full disk) stages nothing: the members staged so far are removed."""
    if not is_zip(name, source):
        return [(name, stage_stream(source, name))]
    staged: list[tuple[str, str]] = []
    try:
        for item in stage_zip(source, safe_name(name)):
            staged.append(item)
    except ZIP_ERRORS as error:
        unstage_all(staged)
        raise BadUpload(safe_name(name), str(error)) from error
    except BaseException:
        unstage_all(staged)
        raise
    return staged


def unstage_all(staged: list[tuple[str, str]]) -> None:
    for _member, path in staged:
        unstage(path)


def unstage(relative: str) -> None:
    """Remove a staged file and its own staging folder."""
    storage.delete(relative, folder_too=True)
