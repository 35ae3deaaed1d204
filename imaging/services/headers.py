"""Format detection and header reads, kept as JSON-friendly dicts between pipeline steps."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext_noop

from imaging.models import Kind
from imaging.readers.dicom_header import DicomHeader, read_dicom_header
from imaging.readers.edf import read_edf_header
from imaging.readers.errors import ReaderError

# Identifying header fields never stored with the file's metadata.
DICOM_IDENTITY = ("patient_id", "patient_name", "patient_birth_date")


def detect_format(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(132)
    if len(head) == 132 and head[128:132] == b"DICM":
        return "dicom"
    if head[:8] == b"0       ":
        return "edf"
    raise ReaderError(
        gettext_noop(
            "%(name)s is neither a DICOM file nor an EDF/EDF+ recording. Upload MRI as DICOM files (or a "
            "zip of them) and PSG, EMG or ECG recordings as EDF."
        ),
        name=path.name,
    )


def aware(value: datetime | None) -> datetime | None:
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value)  # headers hold the hospital's local time


def dicom_header_json(header: DicomHeader, *, keep_identity: bool = False) -> dict:
    data = dataclasses.asdict(header)
    data.pop("software", None)
    if not keep_identity:
        for key in DICOM_IDENTITY:
            data.pop(key, None)
    return data


def dicom_header_from_json(data: dict, path: str) -> DicomHeader:
    """Rebuild a DicomHeader from stored metadata so the pure grouping functions can run on it again."""
    values = {name: data.get(name) for name in DicomHeader.__dataclass_fields__ if name != "software"}
    values.update(path=path, patient_id="", patient_name="", patient_birth_date=None)
    values["study_date"] = date.fromisoformat(data["study_date"]) if data.get("study_date") else None
    acquired = data.get("acquisition_datetime")
    values["acquisition_datetime"] = datetime.fromisoformat(acquired) if acquired else None
    values["image_type"] = tuple(data.get("image_type") or ())
    position = data.get("image_position")
    values["image_position"] = tuple(position) if position else None
    values["number_of_frames"] = data.get("number_of_frames") or 1
    return DicomHeader(**values)


def parse_dicom(path: Path) -> dict:
    header = read_dicom_header(path)
    recorded = header.acquisition_datetime or (
        datetime.combine(header.study_date, datetime.min.time()) if header.study_date else None
    )
    return {
        "format": "dicom",
        "kind": Kind.DICOM,
        "source_patient_id": header.patient_id,
        "recorded_at": aware(recorded),
        "summary": {
            "modality": header.modality,
            "series_description": header.series_description,
            "series_number": header.series_number,
            "rows": header.rows,
            "columns": header.columns,
        },
        "software": header.software,
    }


def edf_kind(channel_types: list[str]) -> str:
    """PSG when any sleep channel is present; else EMG when EMG is; else HRV when ECG is; else PSG."""
    types = set(channel_types)
    if types & {"EEG", "EOG", "SpO2", "airflow", "effort", "EMG chin"}:
        return Kind.PSG
    if types & {"EMG", "EMG leg"}:
        return Kind.EMG
    if "ECG" in types:
        return Kind.HRV
    return Kind.PSG


def parse_edf(path: Path, requested_kind: str = "") -> dict:
    header = read_edf_header(path)
    if not header.channels or header.duration_s <= 0:
        raise ReaderError(
            gettext_noop("%(name)s holds no signal (no channels or zero duration); export it again."), name=path.name
        )
    types = [channel.type for channel in header.channels]
    kind = requested_kind or edf_kind(types)
    if kind == Kind.DICOM:
        raise ReaderError(
            gettext_noop("%(name)s is an EDF recording, not DICOM: choose another kind or 'detect'."), name=path.name
        )
    if kind == Kind.HRV and "ECG" not in types:
        raise ReaderError(
            gettext_noop("%(name)s has no ECG channel, so heart-rate variability cannot be computed."), name=path.name
        )
    return {
        "format": "edf",
        "kind": kind,
        "source_patient_id": header.patient_code,
        "recorded_at": aware(header.start),
        "summary": {
            "edf_plus": header.edf_plus,
            "duration_s": header.duration_s,
            "annotation_count": header.annotation_count,
            "channels": [dataclasses.asdict(channel) for channel in header.channels],
        },
        "software": header.software,
    }
