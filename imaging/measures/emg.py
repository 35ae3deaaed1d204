"""Surface EMG amplitude, spectrum and quality flags, per channel.

- RMS amplitude over the whole record (signal units, usually uV);
- mean frequency (MNF = sum f P(f) / sum P(f)) and median frequency (MDF: splits the power in half)
  from a Welch PSD (1-s Hann windows, 50 % overlap) within 20-450 Hz, the sEMG band recommended by
  SENIAM (Hermens et al. 2000) and used for fatigue studies (Phinyomark et al. 2012);
- quality: flat line (almost no variation), clipping (many samples at the recorded extremes, i.e. the
  amplifier rails), and mains interference: power at 50 Hz +/- 1 Hz (China's grid frequency) as a
  share of the 20-450 Hz power. The thresholds are screening choices, stated below.
"""

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.signal import welch

from imaging.readers.provenance import software_versions

BAND_HZ = (20.0, 450.0)
MAINS_HZ = 50.0
FLAT_STD = 1e-6  # below this the channel is a flat line (disconnected lead)
CLIP_SHARE = 0.01  # more than 1 % of samples exactly at the extremes: clipping
MAINS_SHARE = 0.2  # more than 20 % of the band's power within 49-51 Hz: mains interference


@dataclass(frozen=True)
class EmgChannelMeasures:
    label: str
    rms: float
    mean_frequency_hz: float | None
    median_frequency_hz: float | None
    mains_power_share: float | None
    flat_line: bool
    clipping: bool
    mains_interference: bool


@dataclass(frozen=True)
class EmgMeasures:
    duration_s: float
    fs: float
    channels: tuple[EmgChannelMeasures, ...]
    software: dict[str, str] = field(default_factory=dict, compare=False)


def emg_measures(signal: npt.ArrayLike, fs: float, labels: tuple[str, ...] | None = None) -> EmgMeasures:
    data = np.atleast_2d(np.asarray(signal, dtype=float))
    labels = labels or tuple(f"channel {i + 1}" for i in range(len(data)))
    return EmgMeasures(
        duration_s=data.shape[1] / fs,
        fs=fs,
        channels=tuple(_channel(label, row, fs) for label, row in zip(labels, data, strict=True)),
        software=software_versions("numpy", "scipy"),
    )


def _channel(label: str, x: np.ndarray, fs: float) -> EmgChannelMeasures:
    flat = bool(np.std(x) < FLAT_STD)
    spectrum = None if flat else _spectrum(x, fs)
    at_rails = np.mean((x == x.max()) | (x == x.min())) if not flat else 1.0
    return EmgChannelMeasures(
        label=label,
        rms=float(np.sqrt(np.mean(x**2))),
        mean_frequency_hz=spectrum[0] if spectrum else None,
        median_frequency_hz=spectrum[1] if spectrum else None,
        mains_power_share=spectrum[2] if spectrum else None,
        flat_line=flat,
        clipping=bool(not flat and at_rails > CLIP_SHARE),
        mains_interference=bool(spectrum and spectrum[2] > MAINS_SHARE),
    )


def _spectrum(x: np.ndarray, fs: float) -> tuple[float, float, float] | None:
    freqs, power = welch(x - x.mean(), fs=fs, nperseg=min(len(x), int(fs)))
    band = (freqs >= BAND_HZ[0]) & (freqs <= min(BAND_HZ[1], fs / 2))
    f, p = freqs[band], power[band]
    if not len(f) or p.sum() <= 0:
        return None
    cumulative = np.cumsum(p)
    median = float(f[np.searchsorted(cumulative, cumulative[-1] / 2)])
    mains = p[np.abs(f - MAINS_HZ) <= 1].sum() / p.sum()
    return float((f * p).sum() / p.sum()), median, float(mains)
