"""Oxygen desaturation index (ODI) and summary oximetry from an SpO2 signal.

Rule: the AASM Manual (Berry et al. v2.6, 2020, rule VIII.4.A, hypopnea "recommended" rule) counts a
desaturation as a fall of >= 3 % in SpO2 from the pre-event baseline; the 3 % ODI is the number of such
falls per hour. The manual does not fix the baseline or a minimum duration for ODI, so this module
states its choices (same as common oximetry software): baseline = highest SpO2 in the preceding
120 s; an event lasts while SpO2 stays >= 3 points below it and must last >= 10 s (the AASM minimum
for a respiratory event). Values outside 50-100 % are artefact and excluded from the monitored time.
"""

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.ndimage import maximum_filter1d

from imaging.readers.provenance import software_versions

BASELINE_S = 120
VALID_RANGE = (50.0, 100.0)


@dataclass(frozen=True)
class OximetryMeasures:
    desaturations: int
    odi_per_hour: float | None
    valid_hours: float
    mean_spo2: float | None
    nadir_spo2: float | None
    time_below_90_min: float
    drop_pct: float
    software: dict[str, str] = field(default_factory=dict, compare=False)


def odi_from_spo2(
    spo2: npt.ArrayLike, fs: float, *, drop_pct: float = 3.0, min_duration_s: float = 10.0
) -> OximetryMeasures:
    seconds = _per_second(np.asarray(spo2, dtype=float), fs)
    seconds[(seconds < VALID_RANGE[0]) | (seconds > VALID_RANGE[1])] = np.nan
    valid = ~np.isnan(seconds)
    hours = valid.sum() / 3600
    events = _count_events(seconds, drop_pct, min_duration_s)
    return OximetryMeasures(
        desaturations=events,
        odi_per_hour=events / hours if hours else None,
        valid_hours=float(hours),
        mean_spo2=float(np.nanmean(seconds)) if valid.any() else None,
        nadir_spo2=float(np.nanmin(seconds)) if valid.any() else None,
        time_below_90_min=float((seconds[valid] < 90).sum() / 60),
        drop_pct=drop_pct,
        software=software_versions("numpy", "scipy"),
    )


def _per_second(values: npt.NDArray[np.float64], fs: float) -> npt.NDArray[np.float64]:
    """Oximeters update about once a second; averaging to 1 Hz also makes the rules count in seconds."""
    if fs <= 1:
        return np.repeat(values, int(round(1 / fs)))
    per = int(round(fs))
    whole = len(values) // per * per
    means: npt.NDArray[np.float64] = values[:whole].reshape(-1, per).mean(axis=1)
    return means


def _count_events(seconds: np.ndarray, drop_pct: float, min_duration_s: float) -> int:
    filled = np.where(np.isnan(seconds), -np.inf, seconds)
    # Highest value in the BASELINE_S seconds before each second (the second itself excluded).
    previous = np.concatenate(([-np.inf], filled[:-1]))
    baseline = maximum_filter1d(previous, size=BASELINE_S, origin=(BASELINE_S - 1) // 2)
    low = ~np.isnan(seconds) & (filled <= baseline - drop_pct)
    edges = np.diff(np.concatenate(([0], low.astype(int), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return int(((ends - starts) >= min_duration_s).sum())
