"""Stored files through Django's storage API: the one way the apps reach uploaded, staged and exported files.

The storage is the local folder (MEDIA_ROOT, the embedded default) or an S3-compatible bucket (STORAGE_S3_BUCKET,
through django-storages), so that several web and worker machines see the same files. Nothing here loads a whole
file into memory: writes copy a stream in chunks (to S3 as a multipart upload once past its threshold), reads
stream from the storage, and code that needs a real path (pydicom, EDF readers, dcm2niix, zipfile) gets the file
itself on the local folder or a temporary copy downloaded in chunks from the bucket.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse

from .downloads import attachment

CHUNK = 1024 * 1024


def scratch(prefix: str) -> tempfile.TemporaryDirectory:
    """A scratch folder for a file being built (an export), on the media volume, which has room for it (/tmp in a
    container may not) and from which the local folder can take the finished file by a rename. With object storage
    MEDIA_ROOT is only this scratch space."""
    root = Path(settings.MEDIA_ROOT) / "exports" / "tmp"
    root.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=prefix, dir=root)


def local_path(name: str) -> Path | None:
    """The file's own path when the storage is a local folder; None for object storage."""
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:
        return None


def is_local() -> bool:
    return local_path("x") is not None


class _Chunked:
    """A read-only stream without ``seek``, so Django's ``File.chunks`` reads it once, in order (a zip member or a
    bounded copy cannot rewind); ``written`` counts the bytes that went through."""

    def __init__(self, source: BinaryIO):
        self.source, self.written = source, 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.source.read(CHUNK if size is None or size < 0 else min(size, CHUNK))
        self.written += len(chunk)
        return chunk

    def seekable(self) -> bool:
        return False

    closed = False  # the source belongs to the caller, which closes it

    def close(self) -> None:
        pass


def save_stream(name: str, source: BinaryIO) -> tuple[str, int]:
    """Store the bytes of ``source`` (read in chunks) under ``name``; returns the stored name and the byte count.
    A failure half-way removes what was written."""
    stream = _Chunked(source)
    try:
        stored = default_storage.save(name, File(stream, name=Path(name).name))  # type: ignore[arg-type]
    except BaseException:
        delete(name)
        raise
    return stored, stream.written


class _Finished(File):
    """A finished local file: the local folder moves it into place (a rename on the same file system), S3 uploads
    it (multipart past boto3's threshold)."""

    name_on_disk: Path

    def temporary_file_path(self) -> str:
        return str(self.name_on_disk)


def save_local(name: str, path: Path) -> str:
    """Store a finished local file (an export written to a scratch file) under ``name``, replacing what was there.
    The local file is consumed: moved into the local folder, or uploaded and then removed."""
    delete(name)
    with path.open("rb") as handle:
        finished = _Finished(handle, name=path.name)
        finished.name_on_disk = path
        stored = default_storage.save(name, finished)
    path.unlink(missing_ok=True)
    return stored


def delete(name: str, *, folder_too: bool = False) -> None:
    """Remove a stored file; a missing one is not an error. ``folder_too``: on the local folder, its own folder
    goes as well when that is now empty (a staging folder made for this one file; object storage has none)."""
    if not name:
        return
    default_storage.delete(name)
    path = local_path(name)
    if folder_too and path is not None:
        with contextlib.suppress(OSError):  # not empty, or already gone
            path.parent.rmdir()


def exists(name: str) -> bool:
    return bool(name) and default_storage.exists(name)


def size(name: str) -> int:
    return default_storage.size(name)


def _s3_key(name: str) -> str:
    from storages.utils import clean_name  # only when object storage is configured

    return default_storage._normalize_name(clean_name(name))  # type: ignore[attr-defined]  # the storage's own key


def open_stream(name: str) -> BinaryIO:
    """A stream over the stored bytes: the open local file, or the body of an S3 GET read as it arrives (never
    spooled whole, unlike ``storage.open`` on S3). A missing file is FileNotFoundError on both."""
    path = local_path(name)
    if path is not None:
        return path.open("rb")
    from botocore.exceptions import ClientError  # only when object storage is configured

    try:
        return default_storage.bucket.Object(_s3_key(name)).get()["Body"]  # type: ignore[attr-defined]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            raise FileNotFoundError(name) from error
        raise


def sha256(name: str) -> str:
    digest = hashlib.sha256()
    with open_stream(name) as stream:
        while block := stream.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def local_copy(name: str) -> Iterator[Path]:
    """A path to the stored file for code that needs one: the file itself on the local folder, else a temporary
    copy downloaded in chunks (removed afterwards)."""
    path = local_path(name)
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / Path(name).name
        copy_to(name, target)
        yield target


def copy_to(name: str, target: Path) -> None:
    """Copy the stored file to a local path, in chunks."""
    with open_stream(name) as stream, target.open("wb") as out:
        shutil.copyfileobj(stream, out, CHUNK)


def replace_from_local(name: str, path: Path) -> None:
    """Put a changed local copy back under the same name (a relabelled file). On the local folder, when ``path`` is
    the stored file itself, there is nothing to do."""
    own = local_path(name)
    if own is not None and own.resolve() == path.resolve():
        return
    stored = save_local(name, path)
    if stored != name:  # the name is the file's identity (DataFile.file): it must not move
        raise RuntimeError(f"storage renamed {name} to {stored}")


def download_response(name: str, *, filename: str, content_type: str = "application/octet-stream") -> FileResponse:
    """A download of a stored file, streamed from the storage in chunks, with its length and a safe file name."""
    response = FileResponse(open_stream(name), content_type=content_type)
    response["Content-Length"] = str(size(name))
    return attachment(response, filename)
