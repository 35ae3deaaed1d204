import io

import pydicom
import pytest

from imaging.readers.dicom_deid import deidentify


@pytest.fixture
def peter(dicomdir_tree):
    """A real Philips MR slice of patient Doe^Peter, given a birth date and a private vendor tag."""
    dataset = pydicom.dcmread(dicomdir_tree / "98892003" / "MR700" / "4467")
    dataset.PatientBirthDate = "19600101"
    dataset.InstitutionName = "Peking University Third Hospital"
    dataset.add_new(0x00091001, "LO", "private vendor note")
    return dataset


def test_it_replaces_patient_identity_with_the_study_id(peter):
    result = deidentify(peter, study_id="LBPB-001", date_shift_days=-10)
    assert str(result.PatientID) == "LBPB-001"
    assert str(result.PatientName) == "LBPB-001"
    assert result.PatientIdentityRemoved == "YES"
    assert [item.CodeValue for item in result.DeidentificationMethodCodeSequence] == ["113100", "113107"]
    assert result.DeidentificationMethod.startswith("PS3.15 E.1 Basic Profile")


def test_it_empties_birth_date_and_institution_and_removes_private_tags(peter):
    result = deidentify(peter, study_id="LBPB-001", date_shift_days=-10)
    assert not result.PatientBirthDate
    assert not result.InstitutionName
    assert not [element for element in result if element.tag.is_private]


def test_it_shifts_dates_by_the_participant_offset_and_keeps_times(peter):
    result = deidentify(peter, study_id="LBPB-001", date_shift_days=-10)
    assert peter.StudyDate == "20030505"
    assert result.StudyDate == "20030425"  # 5 May 2003 minus 10 days
    assert result.StudyTime == peter.StudyTime


def test_it_maps_uids_deterministically_so_slices_of_a_series_stay_together(dicomdir_tree):
    first = pydicom.dcmread(dicomdir_tree / "98892003" / "MR700" / "4467")
    second = pydicom.dcmread(dicomdir_tree / "98892003" / "MR700" / "4528")
    a = deidentify(first, study_id="LBPB-001", date_shift_days=3, uid_secret="k")
    b = deidentify(second, study_id="LBPB-001", date_shift_days=3, uid_secret="k")
    again = deidentify(first, study_id="LBPB-001", date_shift_days=3, uid_secret="k")
    assert a.SeriesInstanceUID == b.SeriesInstanceUID != first.SeriesInstanceUID
    assert a.StudyInstanceUID == b.StudyInstanceUID != first.StudyInstanceUID
    assert a.SOPInstanceUID != b.SOPInstanceUID
    assert a.SOPInstanceUID == again.SOPInstanceUID == a.file_meta.MediaStorageSOPInstanceUID
    assert a.SOPClassUID == first.SOPClassUID  # the kind of object is not identifying
    assert a.SOPInstanceUID.startswith("2.25.")


def test_a_different_secret_gives_different_uids(peter):
    one = deidentify(peter, study_id="LBPB-001", date_shift_days=0, uid_secret="a")
    two = deidentify(peter, study_id="LBPB-001", date_shift_days=0, uid_secret="b")
    assert one.SOPInstanceUID != two.SOPInstanceUID


def test_it_leaves_the_input_unchanged_and_the_output_still_saves(peter):
    result = deidentify(peter, study_id="LBPB-001", date_shift_days=-10)
    assert str(peter.PatientName) == "Doe^Peter"
    buffer = io.BytesIO()
    result.save_as(buffer)
    reread = pydicom.dcmread(io.BytesIO(buffer.getvalue()))
    assert str(reread.PatientID) == "LBPB-001"
    assert reread.SeriesDescription == "ANGIO Projected from   C"
