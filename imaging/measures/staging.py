"""Automatic sleep staging with YASA, returned as a hypnogram marked as an estimate.

YASA's LightGBM classifiers ship inside the yasa wheel, so this runs offline (Vallat & Walker, eLife
2021;10:e70092: 87 % median accuracy against consensus scoring). The study's scored hypnogram
(Compumedics, technician-reviewed) always takes precedence; this estimate is for records that arrive
unscored and for quality checks.
"""

from pathlib import Path

from imaging.readers.errors import ReaderError, gettext_noop
from imaging.readers.hypnogram import Hypnogram
from imaging.readers.provenance import software_versions

YASA_TO_AASM = {"WAKE": "W", "W": "W", "N1": "N1", "N2": "N2", "N3": "N3", "REM": "R", "R": "R"}


def stage_with_yasa(
    path: str | Path,
    *,
    eeg: str,
    eog: str | None = None,
    emg: str | None = None,
    age: float | None = None,
    male: bool | None = None,
) -> Hypnogram:
    """Stage 30-s epochs from one central EEG (C4-M1 preferred), plus EOG and chin EMG when given."""
    import mne  # heavy imports kept local: only the staging task needs them
    import yasa

    channels = [name for name in (eeg, eog, emg) if name]
    raw = mne.io.read_raw_edf(path, preload=False, verbose="error")
    missing = [name for name in channels if name not in raw.ch_names]
    if missing:
        raise ReaderError(
            gettext_noop("%(name)s has no channel named %(missing)s; channels are: %(channels)s."),
            name=Path(path).name,
            missing=", ".join(missing),
            channels=", ".join(raw.ch_names),
        )
    raw.pick(channels).load_data(verbose="error")
    metadata = {"age": age, "male": male} if age is not None and male is not None else None
    predicted = yasa.SleepStaging(raw, eeg_name=eeg, eog_name=eog, emg_name=emg, metadata=metadata).predict()
    stages = tuple(YASA_TO_AASM[str(stage).upper()] for stage in predicted.hypno)
    confidence = float(predicted.proba.max(axis=1).mean()) if predicted.proba is not None else None
    start = raw.info["meas_date"]
    return Hypnogram(
        stages=stages,
        epoch_s=30.0,
        start=start.replace(tzinfo=None) if start else None,
        source="yasa estimate",
        estimate=True,
        confidence=confidence,
        software=software_versions("yasa", "mne", "lightgbm"),
    )
