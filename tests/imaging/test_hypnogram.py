from datetime import datetime

import pytest

from imaging.readers.errors import ReaderError
from imaging.readers.hypnogram import hypnogram_from_csv, hypnogram_from_edf, stage_label
from tests.imaging.synthetic import HYPNOGRAM, write_psg


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("Sleep stage W", "W"),
        ("Sleep stage 1", "N1"),
        ("Sleep stage 2", "N2"),
        ("Sleep stage 3", "N3"),
        ("Sleep stage 4", "N3"),
        ("Sleep stage R", "R"),
        ("Sleep stage N3", "N3"),
        ("Sleep stage ?", "?"),
        ("W", "W"),
        ("REM", "R"),
        ("4", "N3"),
        ("Movement time", "?"),
        ("Lights off", None),
        ("Arousal", None),
    ],
)
def test_it_maps_aasm_and_rechtschaffen_kales_labels(text, stage):
    assert stage_label(text) == stage


def test_it_expands_edf_plus_stage_annotations_into_30_s_epochs(tmp_path):
    hypnogram = hypnogram_from_edf(write_psg(tmp_path / "night.edf"))
    assert hypnogram.stages == HYPNOGRAM
    assert hypnogram.start == datetime(2025, 5, 6, 22, 30)  # noqa: DTZ001 EDF headers hold the recorder's wall clock, no zone
    assert hypnogram.source == "edf annotations" and not hypnogram.estimate


def test_it_explains_when_an_edf_has_no_stage_annotations(pyedflib_dir):
    with pytest.raises(ReaderError, match="no sleep-stage annotations"):
        hypnogram_from_edf(pyedflib_dir / "tests" / "data" / "test_subsecond.edf")


def test_it_reads_a_csv_with_a_stage_column(tmp_path):
    path = tmp_path / "hypno.csv"
    path.write_text("epoch,stage\n1,W\n2,N1\n3,2\n4,Sleep stage 4\n5,REM\n")
    assert hypnogram_from_csv(path).stages == ("W", "N1", "N2", "N3", "R")


def test_it_reads_a_csv_of_bare_stages_without_header(tmp_path):
    path = tmp_path / "hypno.csv"
    path.write_text("W\nW\n1\n2\nR\n")
    assert hypnogram_from_csv(path).stages == ("W", "W", "N1", "N2", "R")


def test_it_names_the_line_of_an_unknown_stage(tmp_path):
    path = tmp_path / "hypno.csv"
    path.write_text("stage\nW\nN2\nDeep\n")
    with pytest.raises(ReaderError, match="line 4: 'Deep' is not a sleep stage"):
        hypnogram_from_csv(path)
