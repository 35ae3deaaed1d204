import pytest

from imaging.measures.sleep import sleep_measures
from imaging.readers.hypnogram import Hypnogram
from tests.imaging.synthetic import HYPNOGRAM


def test_it_computes_the_aasm_parameters_of_a_hand_scored_night():
    # 20 epochs x 0.5 min. Sleep: N1 1, N2 5, N3 3, R 3 = 12 epochs = 6.0 min; W 7; unscored 1.
    # First sleep at epoch 3 (1.5 min); first R at epoch 12, 9 epochs after onset (4.5 min).
    # W after onset: epochs 6, 14, 18, 19 = 2.0 min (AASM counts to lights on). SE = 6 / 10 = 60 %.
    result = sleep_measures(HYPNOGRAM)
    assert result.time_in_bed_min == 10.0
    assert result.total_sleep_time_min == 6.0
    assert result.sleep_efficiency_pct == 60.0
    assert result.sleep_onset_latency_min == 1.5
    assert result.rem_latency_min == 4.5
    assert result.waso_min == 2.0
    assert result.unscored_min == 0.5
    assert result.stage_min == {"W": 3.5, "N1": 0.5, "N2": 2.5, "N3": 1.5, "R": 1.5}
    assert result.stage_pct_of_tst["N1"] == pytest.approx(100 / 12)
    assert result.stage_pct_of_tst["N2"] == pytest.approx(500 / 12)
    assert result.stage_pct_of_tst["N3"] == result.stage_pct_of_tst["R"] == 25.0


def test_it_uses_the_epoch_length_of_the_hypnogram():
    result = sleep_measures(Hypnogram(("W", "N2", "N2", "W"), epoch_s=20))
    assert (result.time_in_bed_min, result.total_sleep_time_min) == (pytest.approx(4 / 3), pytest.approx(2 / 3))
    assert result.sleep_onset_latency_min == pytest.approx(1 / 3)


def test_a_night_without_sleep_has_no_latencies():
    result = sleep_measures(["W"] * 10)
    assert result.total_sleep_time_min == 0 and result.sleep_efficiency_pct == 0
    assert result.sleep_onset_latency_min is None and result.waso_min is None
    assert result.rem_latency_min is None
    assert result.stage_pct_of_tst["N2"] is None


def test_it_carries_the_estimate_mark_of_an_automatic_hypnogram():
    assert sleep_measures(Hypnogram(("W", "N1"), estimate=True)).estimate
    assert not sleep_measures(["W", "N1"]).estimate
