import numpy as np
import pytest

from imaging.measures.oximetry import odi_from_spo2
from imaging.readers.edf import open_edf
from tests.imaging.synthetic import spo2_trace, write_psg


def test_it_counts_three_percent_desaturations_per_hour():
    # Three 20-s dips of 5 points count; a 2-point dip and a 5-s dip do not. 3 events in 10 min = 18/h.
    result = odi_from_spo2(spo2_trace(), fs=1)
    assert result.desaturations == 3
    assert result.valid_hours == pytest.approx(600 / 3600)
    assert result.odi_per_hour == pytest.approx(18.0)
    assert result.nadir_spo2 == 92.0
    assert result.time_below_90_min == 0


def test_a_four_percent_rule_keeps_the_same_three_dips():
    assert odi_from_spo2(spo2_trace(), fs=1, drop_pct=4).desaturations == 3
    assert odi_from_spo2(spo2_trace(), fs=1, drop_pct=6).desaturations == 0


def test_it_averages_faster_signals_to_one_value_per_second():
    assert odi_from_spo2(np.repeat(spo2_trace(), 4), fs=4).desaturations == 3


def test_it_excludes_artefact_values_from_monitored_time():
    trace = spo2_trace()
    trace[:60] = 0  # probe off for the first minute
    result = odi_from_spo2(trace, fs=1)
    assert result.valid_hours == pytest.approx(540 / 3600)
    assert result.desaturations == 3
    assert result.mean_spo2 > 90


def test_it_reads_the_spo2_channel_of_a_psg_file(tmp_path):
    edf = open_edf(write_psg(tmp_path / "night.edf"))
    channel = edf.get_signal("SpO2")
    assert odi_from_spo2(channel.data, fs=channel.sampling_frequency).desaturations == 3
