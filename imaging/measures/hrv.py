"""Heart-rate variability from an ECG or from RR intervals, computed with neurokit2.

Definitions: Task Force of the ESC and NASPE, "Heart rate variability: standards of measurement,
physiological interpretation and clinical use", Circulation 1996;93:1043-65.
- SDNN: standard deviation of NN intervals; RMSSD: root mean square of successive differences (ms);
- LF 0.04-0.15 Hz, HF 0.15-0.40 Hz; LF/HF and normalised units LF/(LF+HF) x 100. Spectral measures
  need at least 2 min of beats (Task Force: LF needs >= 2 min, 5 min recommended), else None.
neurokit2 reports LF and HF after its own PSD normalisation, so only ratios are kept here.
"""

import warnings
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from imaging.readers.errors import ReaderError, gettext_noop
from imaging.readers.provenance import software_versions

MIN_SPECTRAL_S = 120


@dataclass(frozen=True)
class HrvMeasures:
    beats: int
    duration_s: float
    mean_rr_ms: float
    mean_hr_bpm: float
    sdnn_ms: float
    rmssd_ms: float
    lf_hf: float | None
    lf_nu: float | None
    hf_nu: float | None
    source: str
    software: dict[str, str] = field(default_factory=dict, compare=False)


def hrv_from_rr(rr_ms: npt.ArrayLike, *, source: str = "rr") -> HrvMeasures:
    import neurokit2 as nk  # imported here: the import alone takes seconds

    rr = np.asarray(rr_ms, dtype=float)
    if len(rr) < 3:
        raise ReaderError(gettext_noop("HRV needs at least 3 RR intervals."))
    intervals = {"RRI": rr, "RRI_Time": np.cumsum(rr) / 1000}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # neurokit2 warns about short recordings; the 2-min rule is ours
        time_domain = nk.hrv_time(intervals)
        spectral = _spectral(nk, intervals) if rr.sum() / 1000 >= MIN_SPECTRAL_S else (None, None, None)
    return HrvMeasures(
        beats=len(rr) + 1,
        duration_s=float(rr.sum() / 1000),
        mean_rr_ms=float(time_domain["HRV_MeanNN"].iloc[0]),
        mean_hr_bpm=float(60000 / rr.mean()),
        sdnn_ms=float(time_domain["HRV_SDNN"].iloc[0]),
        rmssd_ms=float(time_domain["HRV_RMSSD"].iloc[0]),
        lf_hf=spectral[0],
        lf_nu=spectral[1],
        hf_nu=spectral[2],
        source=source,
        software=software_versions("neurokit2", "numpy", "scipy"),
    )


def _spectral(nk: ModuleType, intervals: dict[str, Any]) -> tuple[float, float, float]:
    result = nk.hrv_frequency(intervals, interpolation_rate=4)
    lf, hf = float(result["HRV_LF"].iloc[0]), float(result["HRV_HF"].iloc[0])
    return lf / hf, 100 * lf / (lf + hf), 100 * hf / (lf + hf)


def hrv_from_ecg(signal: npt.ArrayLike, fs: float) -> HrvMeasures:
    """Detect R peaks (neurokit2 default cleaning and detector), then compute HRV from the RR series."""
    import neurokit2 as nk

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cleaned = nk.ecg_clean(np.asarray(signal, dtype=float), sampling_rate=fs)
        _, info = nk.ecg_peaks(cleaned, sampling_rate=fs)
    peaks = np.asarray(info["ECG_R_Peaks"])
    if len(peaks) < 4:
        raise ReaderError(
            gettext_noop("Fewer than 4 heartbeats were found in the ECG; check the lead and the recording.")
        )
    return hrv_from_rr(np.diff(peaks) / fs * 1000, source="ecg")
