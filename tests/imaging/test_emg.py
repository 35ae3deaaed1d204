import edfio
import numpy as np
import pytest

from imaging.measures.emg import emg_measures
from imaging.readers.emg import read_emg
from imaging.readers.errors import ReaderError

FS = 1000


def _noise(seconds=10, std=10.0, seed=3):
    return np.random.default_rng(seed).normal(0, std, seconds * FS)


def _write_csv(path, columns: dict[str, np.ndarray], fs=FS, time=True):
    names = (["time"] if time else []) + list(columns)
    n = len(next(iter(columns.values())))
    data = np.column_stack(([np.arange(n) / fs] if time else []) + list(columns.values()))
    np.savetxt(path, data, delimiter=",", header=",".join(names), comments="", fmt="%.6f")
    return path


def test_rms_and_frequencies_of_a_pure_100_hz_sine():
    t = np.arange(10 * FS) / FS
    channel = emg_measures(100 * np.sin(2 * np.pi * 100 * t), FS).channels[0]
    assert channel.rms == pytest.approx(100 / np.sqrt(2), rel=1e-3)
    assert channel.mean_frequency_hz == pytest.approx(100, abs=1)
    assert channel.median_frequency_hz == pytest.approx(100, abs=1)
    assert not (channel.flat_line or channel.clipping or channel.mains_interference)


def test_white_noise_has_mean_and_median_frequency_in_the_middle_of_the_20_450_hz_band():
    channel = emg_measures(_noise(), FS).channels[0]
    assert channel.mean_frequency_hz == pytest.approx(235, abs=5)
    assert channel.median_frequency_hz == pytest.approx(235, abs=10)
    assert channel.rms == pytest.approx(10, rel=0.02)


def test_it_flags_50_hz_mains_in_a_csv_recording(tmp_path):
    t = np.arange(10 * FS) / FS
    path = _write_csv(
        tmp_path / "emg.csv", {"EMG_L": _noise() + 30 * np.sin(2 * np.pi * 50 * t), "EMG_R": _noise(seed=4)}
    )
    recording = read_emg(path, fs=FS)
    assert recording.labels == ("EMG_L", "EMG_R") and recording.duration_s == 10.0
    left, right = emg_measures(recording.signals, recording.fs, recording.labels).channels
    # Mains power 30^2/2 = 450 against about 86 of noise power in the band: share about 0.84.
    assert left.mains_power_share == pytest.approx(0.84, abs=0.05) and left.mains_interference
    assert right.mains_power_share < 0.02 and not right.mains_interference


def test_it_flags_a_flat_line_and_clipping():
    t = np.arange(10 * FS) / FS
    clipped = np.clip(100 * np.sin(2 * np.pi * 80 * t), -50, 50)
    flat, clip = emg_measures(np.vstack([np.zeros(10 * FS), clipped]), FS).channels
    assert flat.flat_line and flat.mean_frequency_hz is None and not flat.clipping
    assert clip.clipping and not clip.flat_line


def test_it_refuses_a_csv_without_a_declared_rate_or_with_a_contradicting_time_column(tmp_path):
    path = _write_csv(tmp_path / "emg.csv", {"EMG": _noise(1)}, fs=2000)
    with pytest.raises(ReaderError, match="give the sampling rate"):
        read_emg(path)
    with pytest.raises(ReaderError, match="shows 2000.0 Hz but 1000 Hz was declared"):
        read_emg(path, fs=1000)


def _real_biceps_emg(signal_samples) -> np.ndarray:
    h5py = pytest.importorskip("h5py")
    with h5py.File(signal_samples / "emg_bursts.h5") as handle:
        raw = np.asarray(handle["00:07:80:3B:46:61/raw/channel_3"][:, 0], dtype=float)
    return raw - raw.mean()  # 12-bit ADC counts around mid-scale


def test_a_real_biceps_recording_gives_plausible_surface_emg_values(tmp_path, signal_samples):
    raw = _real_biceps_emg(signal_samples)
    recording = read_emg(_write_csv(tmp_path / "biceps.csv", {"biceps": raw}, time=False), fs=FS)
    channel = emg_measures(recording.signals, recording.fs, recording.labels).channels[0]
    assert recording.duration_s == pytest.approx(28.519)
    assert 40 < channel.median_frequency_hz < channel.mean_frequency_hz < 200  # right-skewed sEMG spectrum
    assert not (channel.flat_line or channel.clipping)


def test_it_reads_emg_channels_from_an_edf_and_skips_other_signals(tmp_path, signal_samples):
    raw = _real_biceps_emg(signal_samples)
    edf = edfio.Edf(
        [
            edfio.EdfSignal(raw[:28000], FS, label="EMG biceps", physical_dimension="uV"),
            edfio.EdfSignal(np.zeros(28000), FS, label="Trigger"),
        ]
    )
    edf.write(tmp_path / "emg.edf")
    recording = read_emg(tmp_path / "emg.edf")
    assert recording.labels == ("EMG biceps",) and recording.fs == FS and recording.unit == "uV"
    assert recording.signals.shape == (1, 28000)
    np.testing.assert_allclose(
        recording.signals[0], raw[:28000], atol=0.5
    )  # 16-bit EDF quantisation and 8-character ranges
