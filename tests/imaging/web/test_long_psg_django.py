"""A full night: an 8-hour, 20-channel, 256 Hz EDF+ (296 MB, written per run, never committed) through the
whole pipeline in one go, as ``manage.py ingest`` would send it."""

import time
from pathlib import Path

import pytest

from imaging.models import DataFile, DerivedMeasure, IngestJob
from imaging.readers.edf import read_edf_header
from imaging.services import folder_receive
from tests.imaging.synthetic import LONG_LABELS, write_long_psg

pytestmark = pytest.mark.django_db


@pytest.mark.slow  # about 10 s to write the file and 15 s to ingest it on a loaded 2-core machine
def test_an_eight_hour_twenty_channel_night_is_ingested_with_its_measures(
    world, make_persona, visit_a, tmp_path, django_capture_on_commit_callbacks
):
    path = write_long_psg(tmp_path / "night.edf")
    assert path.stat().st_size > 290e6
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        folder_receive(
            study=world.study,
            user=make_persona("coordinator"),
            root=path,
            participant=world.participant_a,
            visit=visit_a,
        )
    elapsed = time.perf_counter() - started
    job = IngestJob.objects.get()
    assert job.status == "succeeded", job.log
    data_file = DataFile.objects.get()
    assert data_file.kind == "psg" and data_file.size == path.stat().st_size
    header = read_edf_header(data_file.file.path)
    assert len(header.channels) == len(LONG_LABELS) == 20 and header.duration_s == 8 * 3600
    assert b"Zhao" not in Path(data_file.file.path).read_bytes()[:4096]
    measures = {m.name: m for m in DerivedMeasure.objects.filter(data_file=data_file)}
    assert measures["time_in_bed_min"].value == 480 and not measures["time_in_bed_min"].is_estimate
    assert measures["total_sleep_time_min"].value == 480 * 0.9  # W is 1 epoch in 10
    assert 55 <= measures["mean_hr_bpm"].value <= 70
    assert measures["rmssd_ms"].value > 0 and "odi_per_hour" in measures
    assert elapsed < 60, f"ingest took {elapsed:.1f} s"
