import pytest

from imaging.measures.sleep import sleep_measures
from imaging.measures.staging import stage_with_yasa
from imaging.readers.errors import ReaderError
from tests.imaging.synthetic import write_psg


def test_it_names_the_missing_channel_before_loading_yasa(tmp_path):
    with pytest.raises(ReaderError, match="no channel named C3-M2"):
        stage_with_yasa(write_psg(tmp_path / "night.edf"), eeg="C3-M2")


@pytest.mark.slow
def test_yasa_stages_a_real_eeg_record_and_marks_the_result_as_an_estimate(pyedflib_dir):
    # Real Fp1 EEG, 698 s: 23 whole 30-s epochs. Takes about 7 s, mostly numba compilation.
    hypnogram = stage_with_yasa(pyedflib_dir / "tests" / "data" / "test_subsecond.edf", eeg="Fp1")
    assert len(hypnogram.stages) == 23
    assert set(hypnogram.stages) <= {"W", "N1", "N2", "N3", "R"}
    assert hypnogram.estimate and hypnogram.source == "yasa estimate"
    assert 0.2 <= hypnogram.confidence <= 1
    assert hypnogram.software["yasa"] and hypnogram.software["lightgbm"]
    assert sleep_measures(hypnogram).estimate
