"""The header read decodes its fields from pydicom's raw bytes itself (for speed, issue #6): it must give what
pydicom's own conversion gives, and refuse the same damaged files with the same messages."""

import warnings
from pathlib import Path

import pydicom
import pydicom.data
import pytest
from pydicom.errors import InvalidDicomError

from imaging.readers.dicom_header import _unvalidated, header_from_dataset, read_dicom_header
from imaging.readers.dicom_series import classify_series, group_series
from imaging.readers.errors import ReaderError
from tests.imaging.files import dicom_test_file
from tests.imaging.test_dicom_series import write_series

PYDICOM_DATA = Path(pydicom.data.__file__).parent


def shipped_dicom_files() -> list[Path]:
    """Every file in pydicom's wheel (test_files, charset_files) that reads as a DICOM image header."""
    found = []
    for folder in ("test_files", "charset_files"):
        for path in sorted((PYDICOM_DATA / folder).rglob("*")):
            if not path.is_file():
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    dataset = pydicom.dcmread(path, stop_before_pixels=True)
            except (InvalidDicomError, OSError, ValueError, EOFError):
                continue
            if "SOPInstanceUID" in dataset and "SeriesInstanceUID" in dataset:
                found.append(path)
    return found


def both_ways(path: Path):
    """The header from the raw elements (the fast decoding) and from elements pydicom has converted first."""
    with warnings.catch_warnings(), _unvalidated():
        warnings.simplefilter("ignore")
        raw = pydicom.dcmread(path, stop_before_pixels=True)
        converted = pydicom.dcmread(path, stop_before_pixels=True)
        for _element in converted:  # iterating converts every element, so every field goes through pydicom
            pass
        return header_from_dataset(raw, str(path)), header_from_dataset(converted, str(path))


def test_the_fast_decoding_gives_what_pydicom_gives_for_every_dicom_file_pydicom_ships():
    files = shipped_dicom_files()
    assert len(files) > 100  # explicit, implicit, big endian, deflated, enhanced MR, 17 character sets
    for path in files:
        fast, converted = both_ways(path)
        assert fast == converted, path.name


@pytest.mark.parametrize("name", ["chrH31.dcm", "chrGreek.dcm", "chrRuss.dcm", "chrX1.dcm", "chrKoreanMulti.dcm"])
def test_a_patient_name_in_another_character_set_is_decoded_by_pydicom(name):
    header = read_dicom_header(PYDICOM_DATA / "charset_files" / name)
    expected = str(pydicom.dcmread(PYDICOM_DATA / "charset_files" / name).PatientName)
    assert header.patient_name == expected and not header.patient_name.isascii()


def test_a_chinese_series_description_in_gb18030_is_read_and_labelled(tmp_path):
    paths = write_series(tmp_path, positions=2)
    dataset = pydicom.dcmread(paths[0])
    dataset.SpecificCharacterSet = "GB18030"
    dataset.SeriesDescription = "腰椎 T2 矢状位"
    dataset.save_as(paths[0])
    assert b"\xd1\xfc\xd7\xb5" in paths[0].read_bytes()  # 腰椎 as GB18030 bytes, not UTF-8
    header = read_dicom_header(paths[0])
    assert header.series_description == "腰椎 T2 矢状位"
    assert classify_series(group_series([header])[0]) == "lumbar_t2_sag"


def test_several_values_where_one_is_expected_are_left_to_pydicom(tmp_path):
    path = write_series(tmp_path, positions=1)[0]
    dataset = pydicom.dcmread(path)
    dataset.SeriesDescription = ["fMRI_pain", "empathy"]
    dataset.save_as(path)
    header = read_dicom_header(path)
    assert header.series_description == str(pydicom.dcmread(path).SeriesDescription)


def test_multi_valued_position_and_image_type_are_split(tmp_path):
    header = read_dicom_header(write_series(tmp_path, positions=3)[2])
    assert header.image_position == (0.0, 0.0, 2.0)
    assert header.image_type == ("DERIVED", "SECONDARY", "OTHER")
    assert (header.rows, header.columns, header.instance_number) == (64, 64, 3)


@pytest.mark.parametrize(
    ("name", "missing"),
    [
        ("MR_small.dcm", 92),
        ("MR_small_implicit.dcm", 102),
        ("MR_small_bigendian.dcm", 108),
    ],
)
def test_a_copy_cut_short_in_its_image_data_is_refused_in_every_encoding(tmp_path, name, missing):
    # Each holds 8192 bytes of pixel data ending at byte 9692, 9702 and 9708; all are cut at byte 9600.
    cut = tmp_path / name
    cut.write_bytes(dicom_test_file(name).read_bytes()[:9600])
    with pytest.raises(ReaderError, match=f"{name} is truncated: its image data is {missing} bytes short"):
        read_dicom_header(cut)
    assert read_dicom_header(dicom_test_file(name)).rows == 64  # the whole file still reads


@pytest.mark.parametrize("cut_at", [300, 700, 1200, 1495])
def test_a_copy_cut_inside_its_header_is_refused_as_truncated(tmp_path, cut_at):
    # MR_small.dcm's file meta ends at byte 336 and its header at 1488; pydicom reads such stumps without complaint.
    cut = tmp_path / "cut.dcm"
    cut.write_bytes(dicom_test_file("MR_small.dcm").read_bytes()[:cut_at])
    with pytest.raises(ReaderError, match="cut.dcm is truncated: it ends inside its header"):
        read_dicom_header(cut)


@pytest.mark.parametrize("name", ["JPEG2000.dcm", "MR_small_RLE.dcm", "JPEG-lossy.dcm"])
def test_a_compressed_copy_cut_short_is_refused(tmp_path, name):
    whole = dicom_test_file(name)
    with whole.open("rb") as handle:
        pydicom.dcmread(handle, stop_before_pixels=True)
        image_data_start = handle.tell()
    cut = tmp_path / name
    cut.write_bytes(whole.read_bytes()[: (image_data_start + whole.stat().st_size) // 2])  # halfway through it
    with pytest.raises(ReaderError, match=f"{name} is truncated: its compressed image data stops before its end"):
        read_dicom_header(cut)
    assert read_dicom_header(whole).sop_uid  # the whole file still reads


def test_a_header_only_object_that_ends_with_its_last_element_is_still_read():
    # An RT plan has no image data: its read runs to the end of the file, which is where its last element ends.
    assert read_dicom_header(dicom_test_file("rtplan.dcm")).modality == "RTPLAN"


def test_an_impossible_acquisition_date_is_left_empty_rather_than_guessed(tmp_path):
    path = write_series(tmp_path, positions=1)[0]
    dataset = pydicom.dcmread(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom warns about the invalid DT it is asked to write, as it should
        dataset.AcquisitionDateTime = "20041301093000"  # month 13
        dataset.StudyDate = "20040230"  # 30 February
        dataset.save_as(path)
    header = read_dicom_header(path)
    assert header.acquisition_datetime is None and header.study_date is None
