"""Locate the real test files that ship inside installed wheels; nothing is downloaded."""

import importlib.util
from pathlib import Path

import pytest
from pydicom.data import get_testdata_file


def dicom_test_file(name: str) -> Path:
    path = get_testdata_file(name, download=False)  # never download: offline CI, and 21 s of retries
    if path is None:
        pytest.skip(f"pydicom test file {name} is not installed")
    return Path(path)


def package_dir(name: str) -> Path:
    """Find a package folder without importing it (biosignalsnotebooks fails to import without bokeh)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"{name} is not installed")
    return Path(spec.submodule_search_locations[0])
