"""Read surface EMG from EDF/EDF+ or from CSV with a declared sampling rate."""

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from imaging.readers.edf import channel_type, open_edf
from imaging.readers.errors import ReaderError, gettext_noop
from imaging.readers.provenance import software_versions

NO_CHANNELS = gettext_noop("%(name)s has none of the channels %(channels)s.")
TIME_COLUMNS = {"time", "t", "time_s", "seconds", "timestamp"}


@dataclass(frozen=True)
class EmgRecording:
    labels: tuple[str, ...]
    signals: np.ndarray  # channels x samples, physical units
    fs: float
    unit: str
    source: str
    software: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def duration_s(self) -> float:
        return self.signals.shape[1] / self.fs


def read_emg(
    path: str | Path, *, fs: float | None = None, channels: Sequence[str] | None = None, unit: str = ""
) -> EmgRecording:
    """EDF: the named channels, else every channel typed EMG, else all; they must share one rate.
    CSV: fs is required; a time column, if present, is dropped after checking it agrees with fs."""
    path = Path(path)
    if path.suffix.lower() in (".edf", ".bdf"):
        return _from_edf(path, channels)
    if fs is None or fs <= 0:
        raise ReaderError(
            gettext_noop("%(name)s: give the sampling rate (Hz) of this CSV file; it cannot be guessed."),
            name=path.name,
        )
    return _from_csv(path, fs, channels, unit)


def _from_edf(path: Path, channels: Sequence[str] | None) -> EmgRecording:
    signals = list(open_edf(path).signals)
    chosen = (
        [s for s in signals if s.label in channels]
        if channels
        else [s for s in signals if channel_type(s.label).startswith("EMG")] or signals
    )
    if not chosen:
        raise ReaderError(NO_CHANNELS, name=path.name, channels=", ".join(channels or []))
    rates = {s.sampling_frequency for s in chosen}
    if len(rates) > 1:
        raise ReaderError(
            gettext_noop(
                "%(name)s: the chosen channels have different sampling rates %(rates)s; "
                "choose channels recorded at one rate."
            ),
            name=path.name,
            rates=str(sorted(rates)),
        )
    length = min(len(s.data) for s in chosen)
    data = np.vstack([s.data[:length] for s in chosen])
    return EmgRecording(
        tuple(s.label for s in chosen),
        data,
        float(rates.pop()),
        chosen[0].physical_dimension,
        "edf",
        software_versions("edfio", "numpy"),
    )


def _from_csv(path: Path, fs: float, channels: Sequence[str] | None, unit: str) -> EmgRecording:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    header = [cell.strip() for cell in rows[0]] if rows else []
    try:
        values = np.array(rows[1:], dtype=float)
    except ValueError as error:
        raise ReaderError(
            gettext_noop("%(name)s has a value that is not a number: %(error)s"), name=path.name, error=str(error)
        ) from error
    if values.ndim != 2 or len(values) < 2:
        raise ReaderError(gettext_noop("%(name)s needs a header row and at least two rows of samples."), name=path.name)
    time = [i for i, name in enumerate(header) if name.lower() in TIME_COLUMNS]
    if time:
        _check_rate(path, values[:, time[0]], fs)
    wanted = [i for i, name in enumerate(header) if i not in time and (not channels or name in channels)]
    if not wanted:
        raise ReaderError(NO_CHANNELS, name=path.name, channels=", ".join(channels or []))
    return EmgRecording(
        tuple(header[i] for i in wanted), values[:, wanted].T.copy(), float(fs), unit, "csv", software_versions("numpy")
    )


def _check_rate(path: Path, times: np.ndarray, fs: float) -> None:
    step = float(np.median(np.diff(times)))
    if step <= 0:
        raise ReaderError(gettext_noop("%(name)s: the time column does not increase."), name=path.name)
    if abs(1 / step - fs) > 0.01 * fs:
        raise ReaderError(
            gettext_noop("%(name)s: the time column shows %(measured)s Hz but %(declared)s Hz was declared."),
            name=path.name,
            measured=f"{1 / step:.1f}",
            declared=f"{fs:g}",
        )
