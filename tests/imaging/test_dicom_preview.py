import numpy as np
import pytest
from PIL import Image

from imaging.readers.dicom_preview import middle_slice_png
from imaging.readers.errors import ReaderError
from tests.imaging.files import dicom_test_file
from tests.imaging.test_dicom_series import write_series


def test_it_writes_a_png_of_the_middle_slice_by_instance_number(tmp_path, dicomdir_tree):
    folder = dicomdir_tree / "98892003" / "MR700"
    paths = [str(p) for p in folder.iterdir()]
    preview = middle_slice_png(paths, tmp_path / "preview.png")
    # Seven slices with InstanceNumber 1..7: the middle one is instance 4, file 4467.
    assert preview.source_path.endswith("4467")
    image = Image.open(tmp_path / "preview.png")
    assert image.size == (16, 16) and image.mode == "L"
    assert preview.software["pillow"]


def test_it_stretches_a_real_slice_to_the_full_grey_range(tmp_path):
    middle_slice_png([str(dicom_test_file("MR_small.dcm"))], tmp_path / "one.png")
    pixels = np.asarray(Image.open(tmp_path / "one.png"))
    assert pixels.min() == 0 and pixels.max() == 255


def test_it_explains_that_a_file_without_pixel_data_has_no_preview(tmp_path, dicomdir_tree):
    with pytest.raises(ReaderError, match="has no image data"):
        middle_slice_png([str(dicomdir_tree / "DICOMDIR")], tmp_path / "x.png")


def test_it_refuses_an_empty_series(tmp_path):
    with pytest.raises(ReaderError, match="no files"):
        middle_slice_png([], tmp_path / "x.png")


def test_it_previews_a_200_slice_series(tmp_path):
    paths = write_series(tmp_path, positions=200)
    preview = middle_slice_png([str(p) for p in paths], tmp_path / "p.png")
    assert preview.source_path.endswith("0100.dcm")  # instance 101 of 200
