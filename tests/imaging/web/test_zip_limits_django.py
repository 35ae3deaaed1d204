"""Zip uploads within the IMAGING_ZIP_* limits: refused from the directory before extracting, stopped by the bytes
actually written when the headers lie, and nothing left on disk either way (nor by a job that failed)."""

import io
import struct
import zipfile

import pytest

from imaging.models import IngestJob
from imaging.services.staging import stage_upload

pytestmark = pytest.mark.django_db


def staged_files(media_root):
    staging = media_root / "imaging" / "incoming"
    return [p for p in staging.rglob("*") if p.is_file()] if staging.exists() else []


def bomb(size: int = 50 * 1024 * 1024, name: str = "bomb.zip") -> io.BytesIO:
    """A real zip bomb: ``size`` zero bytes deflated to a few tens of KB."""
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    with archive, archive.open("scan/zeros.dcm", "w", force_zip64=True) as member:
        chunk = b"\0" * (1024 * 1024)
        for _ in range(size // len(chunk)):
            member.write(chunk)
    buffer.seek(0)
    buffer.name = name
    return buffer


def many_members(count: int) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index in range(count):
            archive.writestr(f"series/{index:04d}.dcm", b"DICM")
    buffer.seek(0)
    buffer.name = "many.zip"
    return buffer


def lying(archive: bytes, compress_size: int) -> bytes:
    """The zip with its central directory claiming ``compress_size`` for the first member (so the ratio looks
    harmless): a header that lies."""
    data = bytearray(archive)
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 20, compress_size)
    return bytes(data)


def test_a_zip_bomb_is_refused_from_its_directory_with_the_ratio_and_nothing_is_written(
    client, make_persona, upload, media_root
):
    archive = bomb()
    assert len(archive.getvalue()) < 100 * 1024  # a few tens of KB that would write 50 MiB
    client.force_login(make_persona("coordinator"))
    response = upload([archive])
    page = response.content.decode()
    assert response.status_code == 200
    assert "bomb.zip was refused" in page and "times its compressed size" in page and "at most 100 times" in page
    assert IngestJob.objects.count() == 0 and staged_files(media_root) == []


def test_a_zip_of_more_members_than_allowed_makes_no_job(client, make_persona, upload, media_root, settings):
    settings.IMAGING_ZIP_MAX_MEMBERS = 250
    client.force_login(make_persona("coordinator"))
    archive = many_members(300)
    assert len(archive.getvalue()) < 64 * 1024
    response = upload([archive])
    page = response.content.decode()
    assert "the zip holds 300 files; a zip may hold at most 250" in page
    assert IngestJob.objects.count() == 0 and staged_files(media_root) == []


def test_a_member_over_the_size_limit_is_refused(client, make_persona, upload, media_root, settings):
    settings.IMAGING_ZIP_MAX_MEMBER_BYTES = 1024 * 1024
    settings.IMAGING_ZIP_MAX_RATIO = 100_000
    client.force_login(make_persona("coordinator"))
    page = upload([bomb(size=3 * 1024 * 1024)]).content.decode()
    assert "scan/zeros.dcm expands to 3.0\xa0MB; one file in a zip may be at most 1.0\xa0MB" in page
    assert IngestJob.objects.count() == 0 and staged_files(media_root) == []


def test_the_total_limit_counts_every_member_and_the_good_members_staged_so_far_are_removed(
    media_root, settings, tmp_path
):
    settings.IMAGING_ZIP_MAX_TOTAL_BYTES = 5 * 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for index in range(3):
            archive.writestr(f"{index}.edf", b"x" * (2 * 1024 * 1024))
    buffer.seek(0)
    from imaging.services.staging import ZipRefused

    with pytest.raises(ZipRefused, match="expands to 6.0\xa0MB in all"):
        stage_upload("three.zip", buffer)
    assert staged_files(media_root) == []


def test_a_zip_whose_headers_lie_is_stopped_while_extracting_and_its_partial_member_removed(media_root):
    """The directory says the 50 MiB member is 50 MiB compressed (ratio 1, harmless); the archive is a few KB, so
    the bytes written cross 100 times the upload's own size and the extraction stops there."""
    honest = bomb().getvalue()
    liar = io.BytesIO(lying(honest, compress_size=50 * 1024 * 1024))
    from imaging.services.staging import ZipRefused

    with pytest.raises(ZipRefused, match="times its own size; at most 100 times"):
        stage_upload("liar.zip", liar)
    assert staged_files(media_root) == []


def test_a_job_whose_file_is_refused_by_its_reader_leaves_no_staged_file(client, make_persona, upload, media_root):
    client.force_login(make_persona("coordinator"))
    notes = io.BytesIO(b"not an acquisition")
    notes.name = "notes.txt"
    upload([notes])
    job = IngestJob.objects.get()
    assert job.status == "failed" and job.staged_path == ""
    assert staged_files(media_root) == []


def test_a_good_zip_within_the_limits_is_still_received(client, make_persona, upload, media_root, settings):
    settings.IMAGING_ZIP_MAX_MEMBERS = 20
    client.force_login(make_persona("coordinator"))
    response = upload([many_members(20)])
    assert response.status_code == 302 and IngestJob.objects.count() == 20
