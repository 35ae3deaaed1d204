"""Free-text EDF+ annotations (TALs) are replaced in stored copies; stages, safe events and timing stay."""

from datetime import date, time
from pathlib import Path

import edfio
import mne
import numpy as np
import pytest

from imaging.models import DataFile, IngestJob
from imaging.readers.edf import deidentify_edf, scrub_tals
from imaging.services import upload_receive

ANNOTATIONS = (
    (0, 30, "Sleep stage W"),
    (30, 30, "Sleep stage N2"),
    (60, 30, "Sleep stage R"),
    (0, None, "Lights off"),
    (42.5, 3, "Obstructive Apnea"),
    (75.25, None, "John Smith called"),
    (80, None, "JS"),
)


def write_night(path: Path) -> Path:
    """90 s of EEG with stage annotations, a safe event and two technician notes that name a person."""
    rng = np.random.default_rng(3)
    edf = edfio.Edf(
        [
            edfio.EdfSignal(
                rng.normal(0, 20, 90 * 100), 100, label="C4-M1", physical_dimension="uV", physical_range=(-500, 500)
            )
        ],
        patient=edfio.Patient(code="MRN777", name="Smith_John"),
        recording=edfio.Recording(startdate=date(2025, 5, 6), equipment_code="Compumedics"),
        starttime=time(22, 0, 0),
        annotations=[edfio.EdfAnnotation(onset, duration, text) for onset, duration, text in ANNOTATIONS],
    )
    edf.write(path)
    return path


def descriptions(path: Path) -> list[tuple[float, str]]:
    raw = mne.io.read_raw_edf(path, verbose="error")
    return sorted((round(float(a["onset"]), 2), a["description"]) for a in raw.annotations)


def test_a_tal_keeps_its_timing_and_length_while_a_note_is_replaced():
    raw = b"+0\x14\x14\x00+75.25\x151\x14Sleep stage W\x14John Smith called\x14\x00".ljust(80, b"\x00")
    cleaned, replaced = scrub_tals(raw)
    assert replaced == 1 and len(cleaned) == len(raw)
    expected = b"+0\x14\x14\x00+75.25\x151\x14Sleep stage W\x14annotation\x14\x00"
    assert cleaned == expected.ljust(80, b"\x00")


def test_bytes_that_are_not_a_tal_are_cleared():
    cleaned, replaced = scrub_tals(b"+0\x14\x14\x00Dr Wang\x00\x00")
    assert replaced == 1 and cleaned == b"+0\x14\x14\x00" + b"\x00" * 9


def test_the_de_identified_copy_has_no_note_text_and_still_reads(tmp_path):
    source = write_night(tmp_path / "night.edf")
    result = deidentify_edf(source, tmp_path / "copy.edf", study_id="ALPHA-A-0001")
    assert result.annotations_replaced == 2
    stored = (tmp_path / "copy.edf").read_bytes()
    assert b"John Smith" not in stored and b"Smith" not in stored and b"JS\x14" not in stored
    assert len(stored) == source.stat().st_size
    assert descriptions(tmp_path / "copy.edf") == [
        (0.0, "Lights off"),
        (0.0, "Sleep stage W"),
        (30.0, "Sleep stage N2"),
        (42.5, "Obstructive Apnea"),
        (60.0, "Sleep stage R"),
        (75.25, "annotation"),
        (80.0, "X"),
    ]


def test_a_real_xltek_export_loses_its_chinese_note_and_keeps_its_event_names(tmp_path, pyedflib_dir):
    source = pyedflib_dir / "tests" / "data" / "test_utf8.edf"
    deidentify_edf(source, tmp_path / "copy.edf", study_id="S1")
    stored = (tmp_path / "copy.edf").read_bytes()
    assert "中文测试八个字".encode() in source.read_bytes() and "中文".encode() not in stored
    before, after = descriptions(source), descriptions(tmp_path / "copy.edf")
    assert [onset for onset, _text in before] == [onset for onset, _text in after]
    assert [text for _onset, text in after] == [
        "XLSpike",
        "note",
        "annotation",
        "XLEvent",
        "XLSpike",
    ]  # "Clip Note": 9 bytes


def test_a_second_pass_changes_nothing(tmp_path):
    copy = tmp_path / "copy.edf"
    deidentify_edf(write_night(tmp_path / "night.edf"), copy, study_id="A")
    once = copy.read_bytes()
    assert deidentify_edf(copy, copy, study_id="A").annotations_replaced == 0  # relinking relabels the copy again
    assert copy.read_bytes() == once


@pytest.mark.django_db
def test_after_ingest_the_stored_copy_holds_no_name_from_an_annotation(
    world, make_persona, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    source = write_night(tmp_path / "night.edf")
    with django_capture_on_commit_callbacks(execute=True), source.open("rb") as handle:
        upload_receive(study=world.study, user=make_persona("coordinator"), files=[("night.edf", handle)])
    job = IngestJob.objects.get()
    assert job.status == "succeeded", job.log
    stored = Path(DataFile.objects.get().file.path)
    assert (0.0, "Sleep stage W") in descriptions(stored) and (75.25, "annotation") in descriptions(stored)
    for path in Path(settings.MEDIA_ROOT).rglob("*"):  # the stored copy, and no staged original left behind
        assert not path.is_file() or b"John Smith" not in path.read_bytes(), path
