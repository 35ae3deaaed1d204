from datetime import date

import pytest

from imaging.readers.dicom_header import read_dicom_header
from imaging.readers.errors import ReaderError
from tests.imaging.files import dicom_test_file


def test_it_reads_identity_uids_and_mr_timing_from_a_real_mr_slice():
    header = read_dicom_header(dicom_test_file("MR_small.dcm"))
    assert header.patient_id == "4MR1"
    assert header.patient_name == "CompressedSamples^MR1"
    assert header.modality == "MR"
    assert header.sop_uid == "1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457"
    assert header.series_uid == "1.3.6.1.4.1.5962.1.3.4.1.20040826185059.5457"
    assert (header.repetition_time_ms, header.echo_time_ms) == (4000.0, 240.0)
    assert (header.rows, header.columns, header.number_of_frames) == (64, 64, 1)
    assert header.slice_thickness_mm == 0.8
    assert header.image_position == (-83.9063, -91.2, 6.6406)
    assert header.study_date == date(2004, 8, 26)
    assert header.software["pydicom"]


def test_it_reads_the_same_header_from_implicit_and_big_endian_encodings():
    explicit = read_dicom_header(dicom_test_file("MR_small.dcm"))
    for name in ("MR_small_implicit.dcm", "MR_small_bigendian.dcm"):
        other = read_dicom_header(dicom_test_file(name))
        assert (other.sop_uid, other.rows, other.echo_time_ms) == (explicit.sop_uid, 64, 240.0)


def test_it_reads_a_philips_series_slice_with_its_description_and_instance_number(dicomdir_tree):
    header = read_dicom_header(dicomdir_tree / "98892003" / "MR700" / "4467")
    assert header.patient_id == "98890234"
    assert header.patient_name == "Doe^Peter"
    assert header.series_description == "ANGIO Projected from   C"
    assert header.instance_number == 4
    assert header.repetition_time_ms == 30.0


def test_it_refuses_a_truncated_file_with_a_message_saying_how_many_bytes_are_missing():
    # MR_truncated.dcm declares 8192 bytes of pixel data but the file ends 62 bytes early.
    with pytest.raises(ReaderError, match="truncated: its image data is 62 bytes short"):
        read_dicom_header(dicom_test_file("MR_truncated.dcm"))


def test_it_refuses_a_file_that_is_not_dicom(tmp_path):
    text = tmp_path / "notes.dcm"
    text.write_text("scanner export log\n" * 20)
    with pytest.raises(ReaderError, match="is not a DICOM file"):
        read_dicom_header(text)


def test_it_refuses_an_empty_file(tmp_path):
    empty = tmp_path / "empty.dcm"
    empty.write_bytes(b"")
    with pytest.raises(ReaderError):
        read_dicom_header(empty)


def test_it_refuses_a_dicomdir_index_because_it_is_not_an_image(dicomdir_tree):
    with pytest.raises(ReaderError, match="not an image"):
        read_dicom_header(dicomdir_tree / "DICOMDIR")
