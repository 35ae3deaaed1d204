"""De-identification without the deep copy (``in_place``) and with private tags removed in the one walk."""

import io

import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from imaging.readers.dicom_deid import deidentify


@pytest.fixture
def peter(dicomdir_tree):
    """A real Philips MR slice with a private tag at top level and another inside a sequence item."""
    dataset = pydicom.dcmread(dicomdir_tree / "98892003" / "MR700" / "4467")
    dataset.add_new(0x00091001, "LO", "private vendor note")
    item = Dataset()
    item.CodeValue = "T-A0100"
    item.add_new(0x00291010, "LO", "nested private note")
    dataset.AnatomicRegionSequence = Sequence([item])
    return dataset


def saved(dataset) -> bytes:
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def test_in_place_writes_the_same_bytes_as_a_copy_and_changes_the_dataset_it_was_given(dicomdir_tree):
    source = dicomdir_tree / "98892003" / "MR700" / "4467"
    copied = deidentify(pydicom.dcmread(source), study_id="LBPB-001", date_shift_days=-10, uid_secret="k")
    given = pydicom.dcmread(source)
    in_place = deidentify(given, study_id="LBPB-001", date_shift_days=-10, uid_secret="k", in_place=True)
    assert in_place is given and str(given.PatientID) == "LBPB-001"
    assert saved(in_place) == saved(copied)


def test_private_tags_are_removed_at_every_depth(peter):
    result = deidentify(peter, study_id="LBPB-001", date_shift_days=0, in_place=True)
    left = []
    result.walk(lambda ds, element: left.append(element.tag) if element.tag.is_private else None)
    assert left == []
    assert b"private vendor note" not in saved(result) and b"nested private note" not in saved(result)
    assert result.AnatomicRegionSequence[0].CodeValue == "T-A0100"  # the standard part of the item stays
