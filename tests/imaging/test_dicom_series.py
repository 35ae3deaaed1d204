import contextlib
from pathlib import Path

import pydicom
import pytest
from pydicom.uid import generate_uid

from imaging.readers.dicom_header import read_dicom_header
from imaging.readers.dicom_series import (
    Series,
    SeriesRule,
    classify_series,
    compare_expected,
    group_series,
    rule_from_mapping,
)
from imaging.readers.errors import ReaderError
from tests.imaging.files import dicom_test_file


def _headers(root: Path):
    headers = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and "TINY_ALPHA" not in path.parts:
            # DICOMDIR indexes and README.txt raise ReaderError and are skipped, as ingest skips them.
            with contextlib.suppress(ReaderError):
                headers.append(read_dicom_header(path))
    return headers


def _series(description="", protocol="", tr=None, te=None, image_type=("ORIGINAL", "PRIMARY")) -> Series:
    return Series(
        patient_id="P",
        study_uid="1.2",
        study_date=None,
        series_uid="1.2.3",
        series_number=1,
        modality="MR",
        series_description=description,
        protocol_name=protocol,
        sequence_name="",
        image_type=image_type,
        repetition_time_ms=tr,
        echo_time_ms=te,
        instance_count=1,
        slice_count=1,
        volume_count=1,
        paths=(),
    )


def test_it_groups_the_real_dicomdir_tree_into_two_patients_and_thirteen_series(dicomdir_tree):
    series = group_series(_headers(dicomdir_tree))
    # 77654033: CT (4 files, 1 series) + CR (3 series); 98890234: CT 2001 (2 series), MR 2003 (7 series).
    assert len(series) == 13
    assert {s.patient_id for s in series} == {"77654033", "98890234"}
    angio = [s for s in series if s.series_number == 700][0]
    assert (angio.instance_count, angio.slice_count, angio.volume_count) == (7, 7, 1)
    # Files are ordered by InstanceNumber 1..7, not by file name.
    assert [Path(p).name for p in angio.paths] == ["4558", "4528", "4588", "4467", "4618", "4678", "4648"]


def test_it_orders_studies_by_date_within_a_patient(dicomdir_tree):
    peter = [s for s in group_series(_headers(dicomdir_tree)) if s.patient_id == "98890234"]
    assert [s.modality for s in peter] == ["CT", "CT"] + ["MR"] * 7
    assert str(peter[0].study_date) == "2001-01-01" and str(peter[-1].study_date) == "2003-05-05"


def test_it_labels_the_real_localizers_and_angio_projection(dicomdir_tree):
    labels = {(s.series_description, classify_series(s)) for s in group_series(_headers(dicomdir_tree))}
    assert ("FAST LOCALIZER", "localizer") in labels
    assert ("T/S/C RF FAST PILOT", "localizer") in labels
    assert ("ANGIO Projected from   C", "angio") in labels
    assert ("Scout", "localizer") in labels


@pytest.mark.parametrize(
    ("description", "label"),
    [
        ("fMRI_pain_empathy", "bold:pain_empathy"),
        ("fMRI_Pain_Sensitivity", "bold:pain_sensitivity"),
        ("BOLD_think_no_think", "bold:think_no_think"),
        ("rs_fMRI", "bold:rest"),
        ("t1_mprage_sag_iso", "t1w"),
        ("t2_tse_tra", "t2w"),
        ("t2_flair_tra", "flair"),
        ("ep2d_diff_mddw_30", "dwi"),
        ("L-SPINE T2 SAG", "lumbar_t2_sag"),
        ("sag T2 TSE lumbar", "lumbar_t2_sag"),
        ("AAHead_Scout", "localizer"),
    ],
)
def test_it_labels_series_from_their_descriptions(description, label):
    assert classify_series(_series(description)) == label


def test_it_falls_back_to_timing_when_the_description_is_empty():
    # MR_small.dcm has no description; TR 4000 ms and TE 240 ms is a T2-weighted spin echo.
    header = read_dicom_header(dicom_test_file("MR_small.dcm"))
    assert classify_series(group_series([header])[0]) == "t2w"
    assert classify_series(_series(tr=500, te=12)) == "t1w"
    assert classify_series(_series(tr=1200, te=50)) == "unknown"


def test_study_rules_given_as_data_win_over_defaults_and_check_tr():
    rule = rule_from_mapping({"label": "bold:mst", "pattern": "mnemonic", "tr_max_ms": 3000, "ignored": 1})
    assert rule == SeriesRule("bold:mst", "mnemonic", tr_max_ms=3000)
    assert classify_series(_series("fMRI_mnemonic_similarity", tr=2000), [rule]) == "bold:mst"
    assert classify_series(_series("fMRI_mnemonic_similarity", tr=3500), [rule]) == "bold:mnemonic_similarity"


def test_compare_expected_lists_missing_and_extra_labels_once():
    result = compare_expected(["localizer", "localizer", "t1w", "bold:rest"], ["t1w", "bold:pain_empathy"])
    assert result.missing == ("bold:pain_empathy",)
    assert result.extra == ("bold:rest", "localizer")
    assert not result.complete
    assert compare_expected(["t1w"], ["t1w"]).complete


def write_series(folder: Path, *, positions: int, volumes: int = 1) -> list[Path]:
    """Copy one real slice into a synthetic series with new UIDs (no real multi-slice MR series ships)."""
    source = pydicom.dcmread(dicom_test_file("MR_small.dcm"))
    study, series = generate_uid(), generate_uid()
    paths = []
    for index in range(positions * volumes):
        source.StudyInstanceUID, source.SeriesInstanceUID = study, series
        source.SOPInstanceUID = source.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        source.InstanceNumber = index + 1
        source.ImagePositionPatient = [0.0, 0.0, float(index % positions)]
        source.SeriesDescription = "fMRI_pain_empathy"
        path = folder / f"{index:04d}.dcm"
        source.save_as(path)
        paths.append(path)
    return paths


def test_it_counts_slices_and_volumes_of_a_200_slice_synthetic_series(tmp_path):
    # Speed is measured by benchmarks/ingest.py against a same-run reference, not asserted here.
    paths = write_series(tmp_path, positions=100, volumes=2)
    series = group_series(read_dicom_header(p) for p in paths)
    assert len(series) == 1
    assert (series[0].instance_count, series[0].slice_count, series[0].volume_count) == (200, 100, 2)
    assert classify_series(series[0]) == "bold:pain_empathy"
