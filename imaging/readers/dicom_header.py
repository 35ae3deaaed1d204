"""Read the header of one DICOM file (no pixel data) into a frozen dataclass.

Header-only reads (`stop_before_pixels`) cost about 0.3-0.45 ms per file with pydicom 3, so an ingest
worker can scan a 200-slice series in under 0.1 s (measured in /work/shared/reference/test_data.md §4.1).
"""

import struct
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pydicom
from pydicom import config
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from imaging.readers.errors import ReaderError
from imaging.readers.provenance import software_versions

PIXEL_DATA_TAG = b"\xe0\x7f\x10\x00"  # (7FE0,0010) little endian
UNDEFINED_LENGTH = 0xFFFFFFFF


@dataclass(frozen=True)
class DicomHeader:
    path: str
    patient_id: str
    patient_name: str
    patient_birth_date: date | None
    study_uid: str
    series_uid: str
    sop_uid: str
    modality: str
    study_date: date | None
    series_number: int | None
    series_description: str
    protocol_name: str
    sequence_name: str
    image_type: tuple[str, ...]
    repetition_time_ms: float | None
    echo_time_ms: float | None
    slice_thickness_mm: float | None
    rows: int | None
    columns: int | None
    number_of_frames: int
    acquisition_datetime: datetime | None
    instance_number: int | None
    image_position: tuple[float, float, float] | None
    software: dict[str, str] = field(default_factory=dict, compare=False)


@contextmanager
def _unvalidated():
    """pydicom's value validation on read (warnings only) doubles the cost of a header read; the fields used
    here are checked by the parsers below, so it is switched off while reading."""
    mode = config.settings.reading_validation_mode
    config.settings.reading_validation_mode = config.IGNORE
    try:
        yield
    finally:
        config.settings.reading_validation_mode = mode


def read_dicom_header(path: str | Path) -> DicomHeader:
    """Read a DICOM Part 10 header; raise ReaderError for non-DICOM, corrupt or truncated files."""
    path = Path(path)
    try:
        with path.open("rb") as handle, _unvalidated():
            dataset = pydicom.dcmread(handle, stop_before_pixels=True)
            _check_pixel_length(handle, path.stat().st_size, dataset)
            if "SOPInstanceUID" not in dataset or "SeriesInstanceUID" not in dataset:
                raise ReaderError(f"{path.name} is a DICOM file but not an image (no series or instance UID)")
            header = header_from_dataset(dataset, str(path))
    except InvalidDicomError as error:
        raise ReaderError(
            f"{path.name} is not a DICOM file (it lacks the DICM marker of DICOM Part 10 files). "
            "Export it again from the scanner or PACS as DICOM."
        ) from error
    except (OSError, EOFError, struct.error, ValueError, KeyError) as error:
        if isinstance(error, ReaderError):
            raise
        raise ReaderError(f"{path.name} is damaged and cannot be read as DICOM: {error}") from error
    return header


def _check_pixel_length(handle, file_size: int, dataset: Dataset) -> None:
    """A copy cut short (interrupted upload or USB copy) still has a whole header; catch it here."""
    position = handle.tell()
    start = handle.read(12)
    if not start.startswith(PIXEL_DATA_TAG) or len(start) < 12:
        return
    explicit = dataset.original_encoding[0] is False  # (is_implicit_VR, is_little_endian)
    length = struct.unpack("<I", start[8:12] if explicit else start[4:8])[0]
    header_size = 12 if explicit else 8
    if length != UNDEFINED_LENGTH and position + header_size + length > file_size:
        missing = position + header_size + length - file_size
        raise ReaderError(
            f"{Path(handle.name).name} is truncated: its image data is {missing} bytes short. "
            "Copy the file again from the scanner or PACS."
        )


def header_from_dataset(dataset: Dataset, path: str = "") -> DicomHeader:
    """Build a DicomHeader from an already parsed dataset (used by readers and tests)."""
    timing = _timing(dataset)
    return DicomHeader(
        path=path,
        patient_id=str(dataset.get("PatientID", "")),
        patient_name=str(dataset.get("PatientName", "")),
        patient_birth_date=_date(dataset.get("PatientBirthDate")),
        study_uid=str(dataset.get("StudyInstanceUID", "")),
        series_uid=str(dataset.SeriesInstanceUID),
        sop_uid=str(dataset.SOPInstanceUID),
        modality=str(dataset.get("Modality", "")),
        study_date=_date(dataset.get("StudyDate")),
        series_number=_int(dataset.get("SeriesNumber")),
        series_description=str(dataset.get("SeriesDescription", "")).strip(),
        protocol_name=str(dataset.get("ProtocolName", "")).strip(),
        sequence_name=str(dataset.get("SequenceName", "")).strip(),
        image_type=tuple(str(value) for value in _as_list(dataset.get("ImageType"))),
        repetition_time_ms=timing[0],
        echo_time_ms=timing[1],
        slice_thickness_mm=_float(dataset.get("SliceThickness")),
        rows=_int(dataset.get("Rows")),
        columns=_int(dataset.get("Columns")),
        number_of_frames=_int(dataset.get("NumberOfFrames")) or 1,
        acquisition_datetime=_acquisition_datetime(dataset),
        instance_number=_int(dataset.get("InstanceNumber")),
        image_position=_position(dataset.get("ImagePositionPatient")),
        software=software_versions("pydicom"),
    )


def _timing(dataset: Dataset) -> tuple[float | None, float | None]:
    """Classic MR stores TR/TE at top level; enhanced (multi-frame) MR stores them in functional groups."""
    tr, te = _float(dataset.get("RepetitionTime")), _float(dataset.get("EchoTime"))
    shared = dataset.get("SharedFunctionalGroupsSequence")
    if (tr is None or te is None) and shared:
        group = shared[0]
        if tr is None and group.get("MRTimingAndRelatedParametersSequence"):
            tr = _float(group.MRTimingAndRelatedParametersSequence[0].get("RepetitionTime"))
        if te is None and group.get("MREchoSequence"):
            te = _float(group.MREchoSequence[0].get("EffectiveEchoTime"))
    return tr, te


def _acquisition_datetime(dataset: Dataset) -> datetime | None:
    if dataset.get("AcquisitionDateTime"):
        return _datetime(str(dataset.AcquisitionDateTime))
    day = dataset.get("AcquisitionDate") or dataset.get("SeriesDate") or dataset.get("StudyDate")
    time = dataset.get("AcquisitionTime") or dataset.get("SeriesTime") or ""
    return _datetime(f"{day}{time}") if day else None


def _datetime(text: str) -> datetime | None:
    digits = text.split("+")[0].split("-")[0]
    whole, _, fraction = digits.partition(".")
    whole = whole.ljust(14, "0")[:14]
    try:
        value = datetime.strptime(whole, "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return value.replace(microsecond=int(fraction.ljust(6, "0")[:6])) if fraction.isdigit() else value


def _date(value) -> date | None:
    parsed = _datetime(str(value)) if value else None
    return parsed.date() if parsed else None


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple, pydicom.multival.MultiValue)) else [value]


def _float(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _int(value) -> int | None:
    number = _float(value)
    return int(number) if number is not None else None


def _position(value) -> tuple[float, float, float] | None:
    numbers = [_float(item) for item in _as_list(value)]
    if len(numbers) != 3 or None in numbers:
        return None
    return (numbers[0], numbers[1], numbers[2])
