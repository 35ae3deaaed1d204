import numpy as np
import pytest

from imaging.measures.hrv import hrv_from_ecg, hrv_from_rr


def test_it_computes_rmssd_and_sdnn_as_worked_by_hand():
    # Differences 10, -20, 30, -20: RMSSD = sqrt(1800 / 4) = 21.213 ms.
    # Mean 804; squared deviations 16+36+196+256+16 = 520; SDNN = sqrt(520 / 4) = 11.402 ms.
    result = hrv_from_rr([800, 810, 790, 820, 800])
    assert result.rmssd_ms == pytest.approx(21.2132, abs=1e-3)
    assert result.sdnn_ms == pytest.approx(11.4018, abs=1e-3)
    assert result.mean_rr_ms == 804 and result.mean_hr_bpm == pytest.approx(60000 / 804)
    assert result.lf_hf is None  # 4 s of beats: too short for spectral measures
    assert result.software["neurokit2"]


def _modulated_rr(seconds=300, lf_ms=50.0, hf_ms=25.0):
    rr, t = [], 0.0
    while t < seconds:
        value = 1000 + lf_ms * np.sin(2 * np.pi * 0.1 * t) + hf_ms * np.sin(2 * np.pi * 0.25 * t)
        rr.append(value)
        t += value / 1000
    return np.array(rr)


def test_lf_hf_follows_the_power_of_0_1_and_0_25_hz_modulation():
    # Power goes with amplitude squared: (50 / 25)^2 = 4 (LF 80 n.u., HF 20 n.u.).
    result = hrv_from_rr(_modulated_rr())
    assert result.lf_hf == pytest.approx(4.0, rel=0.15)
    assert result.lf_nu == pytest.approx(80, abs=3)
    assert result.lf_nu + result.hf_nu == pytest.approx(100)


def _ecg_with_rr(rr_ms, fs=500):
    """Place one neurokit2-simulated beat at chosen R times, so the true RR series is known."""
    import neurokit2 as nk

    beat = nk.ecg_simulate(duration=10, sampling_rate=fs, heart_rate=60, method="simple", random_state=1)
    peak = int(np.argmax(beat[2 * fs : 3 * fs])) + 2 * fs
    template = beat[peak - int(0.3 * fs) : peak + int(0.4 * fs)]
    r_times = np.concatenate(([1000], 1000 + np.cumsum(rr_ms)))
    signal = np.zeros(int((r_times[-1] + 1000) / 1000 * fs))
    for r in r_times:
        start = int(r / 1000 * fs) - int(0.3 * fs)
        signal[start : start + len(template)] += template
    return signal


def test_it_finds_the_known_rr_series_in_a_simulated_ecg():
    # 60 beats alternating 900 / 1100 ms: RMSSD = 200 ms, SDNN = 100 * sqrt(60 / 59) = 100.84 ms.
    rr = np.tile([900.0, 1100.0], 30)
    result = hrv_from_ecg(_ecg_with_rr(rr), fs=500)
    assert result.beats == 61
    assert result.mean_rr_ms == pytest.approx(1000, abs=2)
    assert result.rmssd_ms == pytest.approx(200, abs=4)
    assert result.sdnn_ms == pytest.approx(100.84, abs=2)
    assert result.source == "ecg"


def test_it_reads_a_real_resting_ecg(signal_samples):
    from imaging.readers.edf import open_edf

    channel = open_edf(signal_samples / "supine_1min.edf").get_signal("ECG")
    result = hrv_from_ecg(channel.data, fs=channel.sampling_frequency)
    assert 40 <= result.mean_hr_bpm <= 110  # a resting adult, 60 s supine
    assert 40 <= result.beats <= 110


def test_it_refuses_a_flat_ecg():
    with pytest.raises(ValueError, match="Fewer than 4 heartbeats"):
        hrv_from_ecg(np.zeros(5000), fs=500)
