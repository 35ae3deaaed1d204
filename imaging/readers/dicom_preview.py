"""A PNG of the middle slice of a series, for a coordinator to check at a glance that the upload is right."""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pydicom
from PIL import Image

from imaging.readers.errors import ReaderError, gettext_noop
from imaging.readers.provenance import software_versions


@dataclass(frozen=True)
class Preview:
    path: str
    source_path: str
    width: int
    height: int
    software: dict[str, str] = field(default_factory=dict, compare=False)


def middle_slice_png(series_paths: list[str], out_path: str | Path) -> Preview:
    """Write an 8-bit PNG of the middle slice (middle frame of a multi-frame file), windowed on the
    1st-99th percentile so one bright voxel does not leave the image black."""
    if not series_paths:
        raise ReaderError(gettext_noop("The series has no files, so there is nothing to preview."))
    source = sorted(series_paths, key=_instance_number)[len(series_paths) // 2]
    pixels = _pixels(source)
    if pixels.ndim == 3 and pixels.shape[-1] not in (3, 4):
        pixels = pixels[pixels.shape[0] // 2]
    image = Image.fromarray(_to_uint8(pixels))
    image.save(out_path, format="PNG")
    return Preview(
        path=str(out_path),
        source_path=str(source),
        width=image.width,
        height=image.height,
        software=software_versions("pydicom", "numpy", "pillow"),
    )


def _instance_number(path: str) -> tuple[int, str]:
    dataset = pydicom.dcmread(path, stop_before_pixels=True, specific_tags=["InstanceNumber"])
    return int(dataset.get("InstanceNumber") or 0), str(path)


def _pixels(path: str) -> np.ndarray:
    dataset = pydicom.dcmread(path)
    if "PixelData" not in dataset:
        raise ReaderError(
            gettext_noop(
                "%(name)s has no image data (it may be a report or a header-only file), so no preview can be made."
            ),
            name=Path(path).name,
        )
    try:
        return dataset.pixel_array.astype(np.float64)
    except Exception as error:  # decoders raise many types; the coordinator needs one message
        raise ReaderError(
            gettext_noop("The image data of %(name)s cannot be decoded: %(error)s"),
            name=Path(path).name,
            error=str(error),
        ) from error


def _to_uint8(pixels: np.ndarray) -> np.ndarray:
    low, high = np.percentile(pixels, [1, 99])
    if high <= low:
        return np.zeros(pixels.shape, dtype=np.uint8)
    return (np.clip((pixels - low) / (high - low), 0, 1) * 255).astype(np.uint8)
