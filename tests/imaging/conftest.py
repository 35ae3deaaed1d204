"""Fixtures pointing at real files inside installed wheels (pydicom, pyedflib, biosignalsnotebooks)."""

from pathlib import Path

import pytest

from tests.imaging.files import dicom_test_file, package_dir


@pytest.fixture
def dicomdir_tree() -> Path:
    """pydicom's dicomdirtests: two patients, CT/CR/MR studies, a DICOMDIR (test_data.md §1.3)."""
    return dicom_test_file("MR_small.dcm").parent / "dicomdirtests"


@pytest.fixture
def pyedflib_dir() -> Path:
    return package_dir("pyedflib")


@pytest.fixture
def signal_samples() -> Path:
    return package_dir("biosignalsnotebooks") / "notebook_files" / "osf_files" / "signal_samples"
