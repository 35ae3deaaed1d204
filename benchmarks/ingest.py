"""Ingest benchmarks, each printed beside a reference measured in the same run on the same bytes.

1. Header scan + series grouping of a synthetic 200-slice DICOM series (real slice, new UIDs), against reading
   the same 200 files whole from disk.
2. Peak Python memory while a large upload is parsed by Django's upload handlers (settings.FILE_UPLOAD_HANDLERS),
   staged and checksummed, against the file's size (what reading it whole into memory would cost).
3. The pipeline's DICOM parse (format check, header read with the truncation check, per file) plus grouping and
   label over the 200-slice series, against a bare pydicom header read (dcmread stop_before_pixels) of the same
   files. Target: within 2x. The two are timed in turn (pipeline, bare, pipeline, ...) so that load from other
   processes on a shared machine falls on both alike; the best of each is compared.
4. The pipeline's PSG parse and derive (header, hypnogram and sleep measures, ODI, HRV) over a synthetic 8-hour,
   20-channel, 256 Hz EDF+, against a bare MNE read of the same file (read_raw_edf preload=True). Target: within 3x.
5. The whole per-file DICOM chain as the worker runs it (ingest_run, the one task per file: checksum,
   de-duplication lookup, parse, link lookup, de-identified copy written, DataFile/audit rows, link, finish, in one
   transaction per file) over a fresh 200-slice series, plus the series refresh (label, counts, preview) that
   follows the batch, on a throw-away SQLite database (the product's default), against the same bare header read
   of the same files. Target: within 10x.

Run:  DJANGO_DEBUG=1 .venv/bin/python benchmarks/ingest.py [--size-mb 256] [--skip-upload] [--skip-psg]
                                                           [--skip-chain] [--chain-runs 2] [--json]
"""

import argparse
import hashlib
import io
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbpb.settings")
# Section 5 writes rows: always to a throw-away SQLite file, never to the database DATABASE_URL names.
SCRATCH = Path(tempfile.mkdtemp(prefix="lbpb-benchmark-"))
os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH / 'db.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http.multipartparser import MultiPartParser  # noqa: E402
from django.test import override_settings  # noqa: E402

from benchmarks.table import emit, row  # noqa: E402
from core import storage  # noqa: E402
from imaging.models import DataFile, DicomSeries, IngestJob, Kind  # noqa: E402
from imaging.readers.dicom_header import read_dicom_header  # noqa: E402
from imaging.readers.dicom_series import classify_series, group_series  # noqa: E402
from imaging.services import ingest_run, series_batch  # noqa: E402
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


def best_in_turn(runs: int, *functions) -> list[float]:
    """Best time of each function, run in turn (a, b, a, b, ...): a burst of load from other processes on a shared
    machine then lands on both sides of a ratio, not on whichever happened to be running."""
    timings: list[list[float]] = [[] for _ in functions]
    for _ in range(runs):
        for function, times in zip(functions, timings, strict=True):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
    return [min(times) for times in timings]


def bare_header_read(paths: list[Path]) -> None:
    """The reference for sections 3 and 5: what pydicom itself costs to read the same headers."""
    import pydicom

    for p in paths:
        pydicom.dcmread(p, stop_before_pixels=True)


def header_scan(folder: Path) -> tuple[float, float]:
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
    return scan_s, read_s


def dicom_pipeline(folder: Path) -> tuple[float, float]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = write_series(folder, positions=100, volumes=2)

    def pipeline():  # the parse step's work per file (format check + header read), then grouping and label
        headers = [read_dicom_header(p) for p in paths if detect_format(p) == "dicom"]
        series = group_series(headers)
        assert len(headers) == 200 and classify_series(series[0]) == "bold:pain_empathy"

    pipeline(), bare_header_read(paths)  # warm both: imports and the page cache
    pipeline_s, bare_s = best_in_turn(15, pipeline, lambda: bare_header_read(paths))
    print("DICOM ingest, 200-slice series (pipeline parse per file + grouping + label)")
    print(f"  pipeline                       : {pipeline_s * 1000:8.1f} ms")
    print(
        f"  reference: dcmread header only : {bare_s * 1000:8.1f} ms  (ratio {pipeline_s / bare_s:.2f}x, target <= 2x)"
    )
    return pipeline_s, bare_s


def psg_pipeline(folder: Path) -> tuple[float, float]:
    import mne

    started = time.perf_counter()
    path = write_long_psg(folder / "night.edf")
    print(
        f"8-hour PSG, 20 channels at 256 Hz ({path.stat().st_size / 1e6:.0f} MB; "
        f"written in {time.perf_counter() - started:.1f} s)"
    )

    def pipeline():
        notes: list[str] = []
        parse_edf(path)
        rows = [row for derive in DERIVERS[Kind.PSG] for result in derive(path, notes) for row in result[0]]
        assert len(rows) > 20 and not notes, notes

    def bare():
        mne.io.read_raw_edf(path, preload=True, verbose="error")

    bare(), pipeline()  # warm both: imports, numba and the page cache
    # Back to back, not in turn: MNE's 300 MB preload reads slower right after the pipeline has churned memory,
    # which would flatter the ratio. Best of 3 of each keeps the reference at its fastest.
    pipeline_s, bare_s = best_of(3, pipeline), best_of(3, bare)
    print(f"  pipeline parse + measures      : {pipeline_s:8.2f} s  (sleep, ODI, HRV)")
    print(f"  reference: MNE preload read    : {bare_s:8.2f} s  (ratio {pipeline_s / bare_s:.2f}x, target <= 3x)")
    return pipeline_s, bare_s


def chain_world():
    """A study, a coordinator at its site, and the participant whose ID the synthetic series carries ("4MR1", from
    pydicom's MR_small.dcm) with a visit around its scan date, so the link step links rather than queues."""
    from datetime import date

    from accounts.services import membership_grant
    from participants.models import Visit
    from tests.factories import ParticipantFactory, SiteFactory, StudyFactory, UserFactory

    study = StudyFactory(code="bench")
    site = SiteFactory(study=study, code="A")
    user = UserFactory(username="bench-coordinator")
    membership_grant(user=user, study=study, role="coordinator", sites=[site])
    participant = ParticipantFactory(site=site, identifier="4MR1")
    Visit.objects.create(
        participant=participant,
        visit_code="baseline",
        anchor_code="enrolment",
        target_date=date(2004, 8, 20),
        window_start=date(2004, 8, 20),
        window_end=date(2004, 9, 1),
    )
    return study, user


def queued_jobs(study, user, paths: list[Path]) -> list[IngestJob]:
    """Staged files and queued jobs, as upload_receive leaves them, without handing them to Celery."""
    jobs = []
    for path in paths:
        with path.open("rb") as source:
            for name, staged in stage_upload(path.name, source):
                jobs.append(
                    IngestJob.objects.create(
                        study=study, original_name=name, staged_path=staged, uploaded_by=user, attempts=1
                    )
                )
    return jobs


def worker_chain(folder: Path, runs: int) -> tuple[float, float]:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"DICOM worker chain, 200-slice series, SQLite (schema made in {time.perf_counter() - started:.0f} s)")
    chain_times, bare_times, chain_cpu, bare_cpu = [], [], [], []
    with override_settings(MEDIA_ROOT=folder / "media"):
        study, user = chain_world()
        for run in range(runs):  # a fresh series each run: the same bytes again would only be de-duplicated
            (folder / f"series-{run}").mkdir()
            paths = write_series(folder / f"series-{run}", positions=100, volumes=2)
            bare_header_read(paths)  # warm the page cache for both sides
            jobs = queued_jobs(study, user, paths)
            started, cpu = time.perf_counter(), time.process_time()
            with series_batch():  # the series is refreshed once after its files, as the queued refresh does
                for job in jobs:  # what the Celery task of each job does (imaging.tasks.ingest_job_task)
                    ingest_run(job_id=job.pk)
            chain_times.append(time.perf_counter() - started)
            chain_cpu.append(time.process_time() - cpu)
            bare_times.append(best_of(3, lambda: bare_header_read(paths)))  # noqa: B023  (called right here)
            cpu = time.process_time()
            bare_header_read(paths)
            bare_cpu.append(time.process_time() - cpu)
            check_chain(jobs)
    chain_s, bare_s = min(chain_times), min(bare_times)
    print(f"  chain (best of {runs})              : {chain_s * 1000:8.1f} ms  ({chain_s / 200 * 1000:.1f} ms per file)")
    print(f"  reference: dcmread header only : {bare_s * 1000:8.1f} ms  (ratio {chain_s / bare_s:.1f}x, target <= 10x)")
    # CPU time of this process: what the chain itself costs when other processes share the machine's disk and cores
    # (the wall time above also waits for the disk: SQLite syncs each commit, one per file).
    cpu_s, bare_cpu_s = min(chain_cpu), min(bare_cpu)
    ratio = cpu_s / bare_cpu_s
    print(f"  CPU: chain / bare header read  : {cpu_s * 1000:8.1f} / {bare_cpu_s * 1000:.1f} ms (ratio {ratio:.1f}x)")
    return chain_s, bare_s


def check_chain(jobs: list[IngestJob]) -> None:
    """Every job succeeded and the rows say what the files say, so a fast but broken chain cannot pass."""
    done = IngestJob.objects.filter(pk__in=[job.pk for job in jobs])
    failed = [job.log for job in done if job.status != IngestJob.Status.SUCCEEDED]
    assert not failed, failed[:1]
    files = DataFile.objects.filter(jobs__in=done).distinct()
    assert files.count() == 200 and set(files.values_list("link_status", flat=True)) == {"linked"}
    import pydicom

    with storage.local_copy(files.first().file.name) as path:
        stored = pydicom.dcmread(path, stop_before_pixels=True)
    assert stored.PatientIdentityRemoved == "YES" and str(stored.PatientName) == "4MR1"  # was CompressedSamples^MR1
    series = DicomSeries.objects.get(pk=files.first().series_id)
    assert (series.label, series.instance_count, series.slice_count, series.volume_count) == (
        "bold:pain_empathy",
        200,
        100,
        2,
    )


def multipart_body(folder: Path, size: int) -> Path:
    body = folder / "body.bin"
    block = os.urandom(CHUNK)
    with body.open("wb") as out:
        out.write(
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="night.edf"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
        )
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


def upload_memory(folder: Path, size_mb: int) -> tuple[float, float]:
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
    print(f"  streamed: peak Python memory   : {peak / 1e6:8.1f} MB in {elapsed:.2f} s ({size_mb / elapsed:.0f} MB/s)")
    print(f"  reference: read whole into RAM : {whole_peak / 1e6:8.1f} MB in {read_s:.2f} s")
    return peak, whole_peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=256)
    parser.add_argument("--skip-upload", action="store_true")
    parser.add_argument("--skip-psg", action="store_true")
    parser.add_argument("--skip-chain", action="store_true")
    parser.add_argument("--chain-runs", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="also print the rows for python -m benchmarks")
    try:
        run(parser.parse_args())
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)  # the throw-away database, also after --help or a failure


def run(args) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        scan_s, read_s = header_scan(Path(folder) / "series")
        rows.append(
            _ms("ingest.header_scan", "DICOM header scan + grouping, 200 files", scan_s, "read the files", read_s)
        )
        parse_s, bare_s = dicom_pipeline(Path(folder) / "pipeline")
        rows.append(
            _ms("ingest.dicom_parse", "DICOM parse, 200-slice series", parse_s, "bare pydicom header read", bare_s)
        )
    if not args.skip_chain:
        with tempfile.TemporaryDirectory() as folder:
            chain_s, bare_s = worker_chain(Path(folder), args.chain_runs)
            rows.append(
                _ms(
                    "ingest.chain",
                    "DICOM worker chain, 200 files (SQLite)",
                    chain_s,
                    "bare pydicom header read",
                    bare_s,
                )
            )
    if not args.skip_psg:
        with tempfile.TemporaryDirectory() as folder:
            psg_s, mne_s = psg_pipeline(Path(folder))
            rows.append(
                row(
                    "ingest.psg",
                    "PSG ingest, 8 h x 20 channels",
                    psg_s,
                    "s",
                    reference="bare MNE read",
                    reference_value=mne_s,
                )
            )
    if not args.skip_upload:
        with tempfile.TemporaryDirectory() as folder:
            peak, whole = upload_memory(Path(folder), args.size_mb)
            words = f"streamed upload of {args.size_mb} MB: peak Python memory"
            rows.append(
                row("ingest.upload_peak", words, peak / 1e6, "MB", reference="read whole", reference_value=whole / 1e6)
            )
    if args.json:
        emit(rows)


def _ms(key: str, figure: str, seconds: float, reference: str, reference_seconds: float) -> dict:
    return row(key, figure, seconds * 1000, "ms", reference=reference, reference_value=reference_seconds * 1000)


if __name__ == "__main__":
    main()
