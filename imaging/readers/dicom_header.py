"""Read the header of one DICOM file (no pixel data) into a frozen dataclass.

Header-only reads (`stop_before_pixels`) cost about 0.3-0.45 ms per file with pydicom 3, so an ingest
worker can scan a 200-slice series in under 0.1 s (measured in /work/shared/reference/test_data.md §4.1).
Turning pydicom's raw elements into values costs more than the read itself (hooks, value classes, one
conversion per access), so the few fields a header needs are decoded here straight from the raw bytes
when they are plain ASCII, and left to pydicom otherwise (benchmarks/ingest.py, section 3).
"""

import os
import struct
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pydicom
from pydicom import config
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.tag import BaseTag

from imaging.readers.errors import ReaderError, gettext_noop
from imaging.readers.provenance import software_versions

UNDEFINED_LENGTH = 0xFFFFFFFF
DEFLATED = frozenset({pydicom.uid.DeflatedExplicitVRLittleEndian})
# Every element a DicomHeader reads: keyword -> (tag, the VR the standard gives it).
FIELDS: dict[str, tuple[int, str]] = {
    "PatientID": (0x00100020, "LO"),
    "PatientName": (0x00100010, "PN"),
    "PatientBirthDate": (0x00100030, "DA"),
    "StudyInstanceUID": (0x0020000D, "UI"),
    "SeriesInstanceUID": (0x0020000E, "UI"),
    "SOPInstanceUID": (0x00080018, "UI"),
    "Modality": (0x00080060, "CS"),
    "StudyDate": (0x00080020, "DA"),
    "SeriesNumber": (0x00200011, "IS"),
    "SeriesDescription": (0x0008103E, "LO"),
    "ProtocolName": (0x00181030, "LO"),
    "SequenceName": (0x00180024, "SH"),
    "ImageType": (0x00080008, "CS"),
    "RepetitionTime": (0x00180080, "DS"),
    "EchoTime": (0x00180081, "DS"),
    "SliceThickness": (0x00180050, "DS"),
    "Rows": (0x00280010, "US"),
    "Columns": (0x00280011, "US"),
    "NumberOfFrames": (0x00280008, "IS"),
    "AcquisitionDateTime": (0x0008002A, "DT"),
    "AcquisitionDate": (0x00080022, "DA"),
    "SeriesDate": (0x00080021, "DA"),
    "AcquisitionTime": (0x00080032, "TM"),
    "SeriesTime": (0x00080031, "TM"),
    "InstanceNumber": (0x00200013, "IS"),
    "ImagePositionPatient": (0x00200032, "DS"),
}
MULTI_VALUED = frozenset({"ImageType", "ImagePositionPatient"})


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
            size = os.fstat(handle.fileno()).st_size
            if handle.tell() < size:  # the read stopped at the image data
                _check_pixel_length(handle, size, dataset)
            else:
                _check_header_end(path.name, size, dataset)
            if any(dataset.get_item(FIELDS[key][0]) is None for key in ("SOPInstanceUID", "SeriesInstanceUID")):
                raise ReaderError(
                    gettext_noop("%(name)s is a DICOM file but not an image (no series or instance UID)."),
                    name=path.name,
                )
            header = header_from_dataset(dataset, str(path))
    except InvalidDicomError as error:
        raise ReaderError(
            gettext_noop(
                "%(name)s is not a DICOM file (it lacks the DICM marker of DICOM Part 10 files). "
                "Export it again from the scanner or PACS as DICOM."
            ),
            name=path.name,
        ) from error
    except (OSError, EOFError, struct.error, ValueError, KeyError) as error:
        if isinstance(error, ReaderError):
            raise
        raise ReaderError(
            gettext_noop("%(name)s is damaged and cannot be read as DICOM: %(error)s"), name=path.name, error=str(error)
        ) from error
    return header


def _check_pixel_length(handle, file_size: int, dataset: Dataset) -> None:
    """A copy cut short (interrupted upload or USB copy) still has a whole header; catch it here.

    The read stopped at the pixel data element, so its declared length is the next few bytes: comparing it
    with the file's size costs one small read from the buffer, not a seek to the end of a large file."""
    position = handle.tell()
    start = handle.read(12)
    implicit, little = dataset.original_encoding
    order = "<" if little is not False else ">"
    if len(start) < 12 or start[:4] != struct.pack(f"{order}HH", 0x7FE0, 0x0010):
        return
    length = struct.unpack(f"{order}I", start[4:8] if implicit else start[8:12])[0]
    header_size = 8 if implicit else 12
    if length == UNDEFINED_LENGTH:
        _check_fragments(handle, position + header_size, file_size, order)
    elif position + header_size + length > file_size:
        missing = position + header_size + length - file_size
        raise ReaderError(
            gettext_noop(
                "%(name)s is truncated: its image data is %(missing)s bytes short. "
                "Copy the file again from the scanner or PACS."
            ),
            name=Path(handle.name).name,
            missing=missing,
        )


def _check_fragments(handle, offset: int, file_size: int, order: str) -> None:
    """Compressed (encapsulated) image data declares no total length: it is a run of items closed by a
    delimiter. Hop from item header to item header (one 8-byte read each) and expect the delimiter."""
    while offset + 8 <= file_size:
        handle.seek(offset)
        group, element, length = struct.unpack(f"{order}HHI", handle.read(8))
        if (group, element) != (0xFFFE, 0xE000):
            return  # the delimiter (FFFE,E0DD), or something the image decoder will judge
        offset += 8 + length
    raise ReaderError(
        gettext_noop(
            "%(name)s is truncated: its compressed image data stops before its end. "
            "Copy the file again from the scanner or PACS."
        ),
        name=Path(handle.name).name,
    )


def _check_header_end(name: str, file_size: int, dataset: Dataset) -> None:
    """pydicom reads a file cut inside its header without complaint: its last element comes back short, or the
    first bytes of the next element are left over. Either way the file does not end where its last element does.
    (Only reached when the read ran to the end of the file, i.e. it found no image data.)"""
    meta = getattr(dataset, "file_meta", None)
    if meta is not None and meta.get("TransferSyntaxUID") in DEFLATED:
        return  # element positions count the inflated bytes, not the file's
    keys = dataset.keys()
    last = dataset.get_item(next(reversed(keys)), keep_deferred=True) if keys else None  # in file order
    if last is not None and (not isinstance(last, RawDataElement) or last.length == UNDEFINED_LENGTH):
        return
    if last is None or last.value_tell + last.length != file_size:  # no dataset at all: cut in the file meta
        raise ReaderError(
            gettext_noop(
                "%(name)s is truncated: it ends inside its header, before the image data. "
                "Copy the file again from the scanner or PACS."
            ),
            name=name,
        )


def header_from_dataset(dataset: Dataset, path: str = "") -> DicomHeader:
    """Build a DicomHeader from an already parsed dataset (used by readers and tests)."""
    timing = _timing(dataset)
    return DicomHeader(
        path=path,
        patient_id=str(_get(dataset, "PatientID", "")),
        patient_name=str(_get(dataset, "PatientName", "")),
        patient_birth_date=_date(_get(dataset, "PatientBirthDate")),
        study_uid=str(_get(dataset, "StudyInstanceUID", "")),
        series_uid=str(_get(dataset, "SeriesInstanceUID")),
        sop_uid=str(_get(dataset, "SOPInstanceUID")),
        modality=str(_get(dataset, "Modality", "")),
        study_date=_date(_get(dataset, "StudyDate")),
        series_number=_int(_get(dataset, "SeriesNumber")),
        series_description=str(_get(dataset, "SeriesDescription", "")).strip(),
        protocol_name=str(_get(dataset, "ProtocolName", "")).strip(),
        sequence_name=str(_get(dataset, "SequenceName", "")).strip(),
        image_type=tuple(str(value) for value in _as_list(_get(dataset, "ImageType"))),
        repetition_time_ms=timing[0],
        echo_time_ms=timing[1],
        slice_thickness_mm=_float(_get(dataset, "SliceThickness")),
        rows=_int(_get(dataset, "Rows")),
        columns=_int(_get(dataset, "Columns")),
        number_of_frames=_int(_get(dataset, "NumberOfFrames")) or 1,
        acquisition_datetime=_acquisition_datetime(dataset),
        instance_number=_int(_get(dataset, "InstanceNumber")),
        image_position=_position(_get(dataset, "ImagePositionPatient")),
        software=software_versions("pydicom"),
    )


def _get(dataset: Dataset, keyword: str, default=None):
    """``dataset.get(keyword, default)``, but a still-raw element of plain ASCII is decoded here from its bytes,
    to what pydicom's conversion would give. Anything else (an element already converted or set in code, a VR
    other than the standard's, non-ASCII bytes or ISO 2022 escapes that need the character set, a person name
    with several groups, several values where one is expected) goes to pydicom as before."""
    tag, vr = FIELDS[keyword]
    element = dataset.get_item(BaseTag(tag))
    if element is None:
        return default
    value = _decoded(element, vr, keyword in MULTI_VALUED)
    return dataset.get(keyword, default) if value is None else value


def _decoded(element, vr: str, multi: bool) -> str | int | list[str] | None:
    if type(element) is not RawDataElement or element.VR not in (None, vr):
        return None
    raw = element.value
    if not isinstance(raw, bytes):
        return None
    if vr == "US":  # binary: the one VR whose bytes depend on the byte order
        return int.from_bytes(raw, "little" if element.is_little_endian else "big") if len(raw) == 2 else None
    if not raw.isascii() or b"\x1b" in raw or (vr == "PN" and b"=" in raw):
        return None
    text = raw.decode("ascii").rstrip(" \x00")
    if "\\" not in text:
        return text
    return text.split("\\") if multi else None


def _timing(dataset: Dataset) -> tuple[float | None, float | None]:
    """Classic MR stores TR/TE at top level; enhanced (multi-frame) MR stores them in functional groups."""
    tr, te = _float(_get(dataset, "RepetitionTime")), _float(_get(dataset, "EchoTime"))
    if tr is not None and te is not None:
        return tr, te
    shared = dataset.get("SharedFunctionalGroupsSequence")
    if shared:
        group = shared[0]
        if tr is None and group.get("MRTimingAndRelatedParametersSequence"):
            tr = _float(group.MRTimingAndRelatedParametersSequence[0].get("RepetitionTime"))
        if te is None and group.get("MREchoSequence"):
            te = _float(group.MREchoSequence[0].get("EffectiveEchoTime"))
    return tr, te


def _acquisition_datetime(dataset: Dataset) -> datetime | None:
    stamp = _get(dataset, "AcquisitionDateTime")
    if stamp:
        return _datetime(str(stamp))
    day = _get(dataset, "AcquisitionDate") or _get(dataset, "SeriesDate") or _get(dataset, "StudyDate")
    time = _get(dataset, "AcquisitionTime") or _get(dataset, "SeriesTime") or ""
    return _datetime(f"{day}{time}") if day else None


def _datetime(text: str) -> datetime | None:
    digits = text.split("+")[0].split("-")[0]
    whole, _, fraction = digits.partition(".")
    whole = whole.ljust(14, "0")[:14]
    if not (whole.isascii() and whole.isdigit()):
        return None
    try:  # fixed positions (YYYYMMDDHHMMSS): a third of strptime's cost, and no guessing at short fields
        # Naive on purpose: DICOM DA/TM are the scanner's wall clock with no offset; this reader is pure, and
        # imaging/services/headers.aware() attaches the hospital's time zone when the value is stored.
        value = datetime(  # noqa: DTZ001
            int(whole[:4]), int(whole[4:6]), int(whole[6:8]), int(whole[8:10]), int(whole[10:12]), int(whole[12:])
        )
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
