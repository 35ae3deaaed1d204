"""Ingest benchmarks, each printed beside a reference measured in the same run on the same bytes.

1. Header scan + series grouping of a synthetic 200-slice DICOM series (real slice, new UIDs), against reading
   the same 200 files whole from disk.
2. Peak Python memory while a large upload is parsed by Django's upload handlers (settings.FILE_UPLOAD_HANDLERS),
   staged and checksummed, against the file's size (what reading it whole into memory would cost).
3. The pipeline's DICOM parse (format check, header read with the truncation check, per file) plus grouping and
   label over the 200-slice series, against a bare pydicom header read (dcmread stop_before_pixels) of the same
   files. Target: within 2x.
4. The pipeline's PSG parse and derive (header, hypnogram and sleep measures, ODI, HRV) over a synthetic 8-hour,
   20-channel, 256 Hz EDF+, against a bare MNE read of the same file (read_raw_edf preload=True). Target: within 3x.

Run:  DJANGO_DEBUG=1 .venv/bin/python benchmarks/ingest.py [--size-mb 256] [--skip-upload] [--skip-psg]
"""

import argparse
import hashlib
import io
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbpb.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.http.multipartparser import MultiPartParser  # noqa: E402
from django.test import override_settings  # noqa: E402

from imaging.models import Kind  # noqa: E402
from imaging.readers.dicom_header import read_dicom_header  # noqa: E402
from imaging.readers.dicom_series import classify_series, group_series  # noqa: E402
from imaging.services.derive import DERIVERS  # noqa: E402
from imaging.services.headers import detect_format, parse_edf  # noqa: E402
from imaging.services.staging import CHUNK, stage_upload  # noqa: E402
from tests.imaging.synthetic import write_long_psg  # noqa: E402
from tests.imaging.test_dicom_series import write_series  # noqa: E402

BOUNDARY = "----lbpb-benchmark-boundary"


def best_of(runs: int, function) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return min(timings)


def header_scan(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    paths = write_series(folder, positions=100, volumes=2)

    def scan():
        series = group_series(read_dicom_header(p) for p in paths)
        assert len(series) == 1 and series[0].instance_count == 200
        classify_series(series[0])

    def raw_read():
        for p in paths:
            p.read_bytes()

    size = sum(p.stat().st_size for p in paths)
    scan_s, read_s = best_of(5, scan), best_of(5, raw_read)
    print(f"200-slice series ({size / 1e6:.1f} MB, {len(paths)} files)")
    print(f"  header scan + grouping + label : {scan_s * 1000:8.1f} ms  ({scan_s / 200 * 1000:.2f} ms per file)")
    print(f"  reference: read the same files : {read_s * 1000:8.1f} ms  (ratio {scan_s / read_s:.1f}x)")


def dicom_pipeline(folder: Path) -> None:
    import pydicom

    folder.mkdir(parents=True, exist_ok=True)
    paths = write_series(folder, positions=100, volumes=2)

    def pipeline():  # the parse step's work per file (format check + header read), then grouping and label
        headers = [read_dicom_header(p) for p in paths if detect_format(p) == "dicom"]
        series = group_series(headers)
        assert len(headers) == 200 and classify_series(series[0]) == "bold:pain_empathy"

    def bare():
        for p in paths:
            pydicom.dcmread(p, stop_before_pixels=True)

    pipeline_s, bare_s = best_of(5, pipeline), best_of(5, bare)
    print("DICOM ingest, 200-slice series (pipeline parse per file + grouping + label)")
    print(f"  pipeline                       : {pipeline_s * 1000:8.1f} ms")
    print(f"  reference: dcmread header only : {bare_s * 1000:8.1f} ms  (ratio {pipeline_s / bare_s:.2f}x, "
          "target <= 2x)")


def psg_pipeline(folder: Path) -> None:
    import mne

    started = time.perf_counter()
    path = write_long_psg(folder / "night.edf")
    print(f"8-hour PSG, 20 channels at 256 Hz ({path.stat().st_size / 1e6:.0f} MB; "
          f"written in {time.perf_counter() - started:.1f} s)")

    def pipeline():
        notes: list[str] = []
        parse_edf(path)
        rows = [row for derive in DERIVERS[Kind.PSG] for result in derive(path, notes) for row in result[0]]
        assert len(rows) > 20 and not notes, notes

    def bare():
        mne.io.read_raw_edf(path, preload=True, verbose="error")

    bare(), pipeline()  # warm both: imports, numba and the page cache
    pipeline_s, bare_s = best_of(2, pipeline), best_of(2, bare)
    print(f"  pipeline parse + measures      : {pipeline_s:8.2f} s  (sleep, ODI, HRV)")
    print(f"  reference: MNE preload read    : {bare_s:8.2f} s  (ratio {pipeline_s / bare_s:.2f}x, target <= 3x)")


def multipart_body(folder: Path, size: int) -> Path:
    body = folder / "body.bin"
    block = os.urandom(CHUNK)
    with body.open("wb") as out:
        out.write((f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"night.edf\"\r\n"
                   "Content-Type: application/octet-stream\r\n\r\n").encode())
        for _ in range(size // CHUNK):
            out.write(block)
        out.write(f"\r\n--{BOUNDARY}--\r\n".encode())
    return body


def streamed_upload(body: Path) -> tuple[int, str]:
    meta = {"CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}", "CONTENT_LENGTH": str(body.stat().st_size)}
    with body.open("rb") as stream:
        from django.core.files.uploadhandler import load_handler

        handlers = [load_handler(path) for path in settings.FILE_UPLOAD_HANDLERS]
        _, files = MultiPartParser(meta, stream, handlers, "utf-8").parse()
    upload = files["files"]
    staged = stage_upload(upload.name, upload)
    digest = hashlib.sha256()
    with (Path(settings.MEDIA_ROOT) / staged[0][1]).open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    upload.close()
    return upload.size, digest.hexdigest()


def upload_memory(folder: Path, size_mb: int) -> None:
    size = size_mb * CHUNK
    body = multipart_body(folder, size)
    with override_settings(MEDIA_ROOT=folder / "media", FILE_UPLOAD_TEMP_DIR=str(folder)):
        started = time.perf_counter()
        received, _ = streamed_upload(body)  # timed without tracing, which slows every allocation
        elapsed = time.perf_counter() - started
        tracemalloc.start()
        streamed_upload(body)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert received == size
    tracemalloc.start()
    started = time.perf_counter()
    whole = io.BytesIO(body.read_bytes())  # the reference: what holding the upload in memory costs
    read_s = time.perf_counter() - started
    _, whole_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del whole
    print(f"upload of {size_mb} MB (multipart parse -> temporary file -> staging copy -> SHA-256)")
    print(f"  streamed: peak Python memory   : {peak / 1e6:8.1f} MB in {elapsed:.2f} s "
          f"({size_mb / elapsed:.0f} MB/s)")
    print(f"  reference: read whole into RAM : {whole_peak / 1e6:8.1f} MB in {read_s:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=256)
    parser.add_argument("--skip-upload", action="store_true")
    parser.add_argument("--skip-psg", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        header_scan(Path(folder) / "series")
        dicom_pipeline(Path(folder) / "pipeline")
    if not args.skip_psg:
        with tempfile.TemporaryDirectory() as folder:
            psg_pipeline(Path(folder))
    if not args.skip_upload:
        with tempfile.TemporaryDirectory() as folder:
            upload_memory(Path(folder), args.size_mb)


if __name__ == "__main__":
    main()
