"""Derived measures per kind of recording; each value is stored with the library versions that computed it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record, diff, snapshot
from core import storage
from imaging.measures.emg import emg_measures
from imaging.measures.hrv import hrv_from_ecg
from imaging.measures.oximetry import odi_from_spo2
from imaging.measures.sleep import sleep_measures
from imaging.measures.staging import stage_with_yasa
from imaging.models import DataFile, DerivedMeasure, Kind
from imaging.readers.edf import channel_type, open_edf
from imaging.readers.emg import read_emg
from imaging.readers.errors import ReaderError
from imaging.readers.hypnogram import hypnogram_from_edf

UNITS = (
    ("_pct", "%"),
    ("_min", "min"),
    ("_ms", "ms"),
    ("_hz", "Hz"),
    ("_bpm", "bpm"),
    ("_per_hour", "/h"),
    ("_hours", "h"),
    ("_s", "s"),
)
SKIPPED = {"software", "source", "estimate", "stage_min", "stage_pct_of_tst", "channels", "drop_pct", "fs"}


def unit_of(name: str) -> str:
    base = name.split(":")[0]
    if base.endswith("_spo2"):
        return "%"
    return next((unit for suffix, unit in UNITS if base.endswith(suffix)), "")


def _number(value):
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float, np.floating, np.integer)):
        number = float(value)
        return number if np.isfinite(number) else None
    return None


def _rows(result, *, suffix: str = "", estimate: bool = False) -> list[tuple[str, float | None, bool]]:
    values = dataclasses.asdict(result) if dataclasses.is_dataclass(result) else dict(result)
    rows = []
    for key, value in values.items():
        if key in SKIPPED or (_number(value) is None and value is not None):
            continue
        rows.append((f"{key}{suffix}", _number(value), estimate))
    return rows


def _sleep(path: Path, notes: list[str]) -> list:
    try:
        hypnogram = hypnogram_from_edf(path)
    except ReaderError as error:
        hypnogram = _automatic_hypnogram(path, notes, error)
        if hypnogram is None:
            return []
    measures = sleep_measures(hypnogram)
    rows = _rows(measures, estimate=measures.estimate)
    rows += [(f"stage_min:{stage}", minutes, measures.estimate) for stage, minutes in measures.stage_min.items()]
    return [(rows, {**hypnogram.software, **measures.software})]


def _staging_channels(path: Path) -> tuple[str | None, str | None, str | None]:
    """(EEG, EOG, chin EMG) labels for YASA: a central EEG (C4, then C3) when there is one."""
    labels: dict[str, list[str]] = {}
    for signal in open_edf(path).signals:
        labels.setdefault(channel_type(signal.label, signal.physical_dimension), []).append(signal.label)
    eeg = sorted(
        labels.get("EEG", []),
        key=lambda label: next((rank for rank, name in enumerate(("c4", "c3", "cz")) if name in label.lower()), 9),
    )
    eog, emg = labels.get("EOG", [None]), labels.get("EMG chin", [None])
    return (eeg[0] if eeg else None), eog[0], emg[0]


def _automatic_hypnogram(path: Path, notes: list[str], error: ReaderError):
    """No scored hypnogram: stage the night with YASA when an EEG channel allows it (an estimate)."""
    eeg, eog, emg = _staging_channels(path)
    if eeg is None:
        notes.append(str(error))
        return None
    try:
        hypnogram = stage_with_yasa(path, eeg=eeg, eog=eog, emg=emg)
    except (ReaderError, ValueError) as failure:
        notes.append(_("No scored hypnogram, and automatic staging failed: %(error)s") % {"error": failure})
        return None
    notes.append(
        _(
            "No scored hypnogram: sleep stages estimated by automatic staging (YASA, channel %(eeg)s); "
            "the sleep measures are estimates."
        )
        % {"eeg": eeg}
    )
    return hypnogram


def _channel(path: Path, wanted: str):
    for signal in open_edf(path).signals:
        if channel_type(signal.label, signal.physical_dimension) == wanted:
            return np.asarray(signal.data, dtype=float), float(signal.sampling_frequency)
    return None


def _oximetry(path: Path, notes: list[str]) -> list:
    found = _channel(path, "SpO2")
    if found is None:
        return []
    result = odi_from_spo2(*found)
    return [(_rows(result), result.software)]


def _hrv(path: Path, notes: list[str]) -> list:
    found = _channel(path, "ECG")
    if found is None:
        return []
    try:
        result = hrv_from_ecg(*found)
    except ValueError as error:
        notes.append(str(error))
        return []
    return [(_rows(result), result.software)]


def _emg(path: Path, notes: list[str]) -> list:
    recording = read_emg(path)
    result = emg_measures(recording.signals, recording.fs, recording.labels)
    rows = []
    for channel in result.channels:
        values = {k: v for k, v in dataclasses.asdict(channel).items() if k != "label"}
        rows += _rows(values, suffix=f":{channel.label}")
    return [(rows, result.software)]


DERIVERS = {Kind.PSG: (_sleep, _oximetry, _hrv), Kind.EMG: (_emg,), Kind.HRV: (_hrv,), Kind.DICOM: ()}


def _measure_store(data_file: DataFile, name: str, defaults: dict) -> None:
    """One measure and its audit row, in one transaction."""
    fields = ["name", "value", "unit", "is_estimate", "visit_code"]
    with transaction.atomic():
        existing = DerivedMeasure.objects.select_for_update().filter(data_file=data_file, name=name).first()
        before = snapshot(existing, fields) if existing else {}
        measure, created = DerivedMeasure.objects.update_or_create(data_file=data_file, name=name, defaults=defaults)
        changes = diff(before, snapshot(measure, fields))
        if created or changes:
            audit_record(
                user=None,
                action="create" if created else "update",
                instance=measure,
                study=data_file.study,
                participant=data_file.participant,
                path="system",
                changes=changes,
            )


def measures_compute(data_file: DataFile) -> tuple[int, list[str]]:
    """Compute and store every measure the recording allows; returns (count, notes for the log)."""
    notes: list[str] = []
    count = 0
    derivers = DERIVERS[data_file.kind]
    if not derivers:
        return count, notes
    with storage.local_copy(data_file.file.name) as path:
        count = _compute_and_store(data_file, derivers, path, notes)
    return count, notes


def _compute_and_store(data_file: DataFile, derivers, path: Path, notes: list[str]) -> int:
    count = 0
    for derive in derivers:
        for rows, software in derive(path, notes):
            for name, value, estimate in rows:
                _measure_store(
                    data_file,
                    name[:80],
                    {
                        "participant": data_file.participant,
                        "visit_code": data_file.visit_code,
                        "value": value,
                        "unit": unit_of(name),
                        "software": software,
                        "is_estimate": estimate,
                    },
                )
                count += 1
    return count
