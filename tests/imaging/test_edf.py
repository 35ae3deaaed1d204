from datetime import date, datetime

import pytest

from imaging.readers.edf import channel_type, deidentify_edf, read_edf_header
from imaging.readers.errors import ReaderError
from tests.imaging.synthetic import write_psg


def test_it_reads_patient_fields_start_and_channels_of_a_real_edf_plus(pyedflib_dir):
    header = read_edf_header(pyedflib_dir / "tests" / "data" / "test_generator.edf")
    assert header.edf_plus
    assert (header.patient_code, header.patient_sex, header.patient_name) == ("abcxyz99", "M", "Hans Muller")
    assert header.patient_birth_date == date(1969, 6, 30)
    assert header.start == datetime(2011, 4, 4, 12, 57, 2)  # noqa: DTZ001 EDF headers hold the recorder's wall clock, no zone
    assert header.duration_s == 600.0
    assert len(header.channels) == 11
    assert header.channels[-1].label == "sine 50 Hz" and header.channels[-1].sampling_rate == 200.0
    assert header.annotation_count == 2
    assert header.software["edfio"]


def test_it_reads_a_real_eeg_record_and_types_its_channels(signal_samples):
    header = read_edf_header(signal_samples / "S001R02.edf")
    assert len(header.channels) == 64 and header.duration_s == 61.0
    assert {channel.type for channel in header.channels} == {"EEG"}
    assert header.channels[0].sampling_rate == 160.0


def test_it_treats_free_text_patient_fields_of_plain_edf_as_a_name(pyedflib_dir):
    header = read_edf_header(pyedflib_dir / "tests" / "data" / "test_legacy.edf")
    assert not header.edf_plus
    assert header.patient_name == "Legacy patient description"
    assert header.patient_birth_date is None


@pytest.mark.parametrize(
    ("label", "dimension", "kind"),
    [
        ("C4-M1", "uV", "EEG"),
        ("O2-M1", "uV", "EEG"),
        ("Fpz-Cz", "uV", "EEG"),
        ("EEG Fpz-Cz", "uV", "EEG"),
        ("E1-M2", "uV", "EOG"),
        ("LOC", "uV", "EOG"),
        ("Chin1-Chin2", "uV", "EMG chin"),
        ("Leg/L", "uV", "EMG leg"),
        ("RAT", "uV", "EMG leg"),
        ("ECG II", "mV", "ECG"),
        ("Airflow", "", "airflow"),
        ("Nasal Pressure", "cmH2O", "airflow"),
        ("Thor", "", "effort"),
        ("SpO2", "%", "SpO2"),
        ("Sat", "%", "SpO2"),
        ("Pulse", "bpm", "pulse"),
        ("PR", "bpm", "pulse"),
        ("Position", "", "other"),
        ("Light", "", "other"),
        ("channel 9", "%", "SpO2"),
    ],
)
def test_it_guesses_channel_types_from_psg_label_conventions(label, dimension, kind):
    assert channel_type(label, dimension) == kind


def test_deidentify_rewrites_patient_and_recording_fields_and_keeps_every_other_byte(tmp_path):
    source = write_psg(tmp_path / "night.edf")
    result = deidentify_edf(source, tmp_path / "clean.edf", study_id="LBPB 001")
    before, after = source.read_bytes(), (tmp_path / "clean.edf").read_bytes()
    assert len(before) == len(after)
    assert before[:8] == after[:8] and before[168:] == after[168:]  # signals and the rest of the header
    assert b"Wang" not in after and b"MRN123456" not in after and b"Li_Na" not in after
    header = read_edf_header(tmp_path / "clean.edf")
    assert header.patient_field.strip() == "LBPB_001 X X X" == result.patient_field
    assert header.recording_field.strip() == "Startdate 06-MAY-2025 X X Compumedics"
    assert header.patient_birth_date is None and header.patient_name == ""
    assert header.start == datetime(2025, 5, 6, 22, 30)  # noqa: DTZ001 EDF headers hold the recorder's wall clock, no zone


def test_deidentify_of_plain_edf_writes_the_study_id_only(tmp_path, pyedflib_dir):
    result = deidentify_edf(
        pyedflib_dir / "tests" / "data" / "test_legacy.edf", tmp_path / "x.edf", study_id="LBPB-002"
    )
    assert (result.patient_field, result.recording_field) == ("LBPB-002", "X")


def test_it_refuses_a_file_that_is_not_edf(tmp_path):
    bogus = tmp_path / "report.edf"
    bogus.write_text("Sleep report\n" * 40)
    with pytest.raises(ReaderError):
        read_edf_header(bogus)
    with pytest.raises(ReaderError, match="not an EDF file"):
        deidentify_edf(bogus, tmp_path / "out.edf", study_id="X1")


def test_deidentify_shifts_the_start_date_in_both_header_fields_and_keeps_the_time(tmp_path):
    source = write_psg(tmp_path / "night.edf")
    deidentify_edf(source, tmp_path / "clean.edf", study_id="LBPB 001", date_shift_days=-100)
    after = (tmp_path / "clean.edf").read_bytes()
    header = read_edf_header(tmp_path / "clean.edf")
    # 6 May 2025 - 100 days
    assert header.start == datetime(2025, 1, 26, 22, 30)  # noqa: DTZ001 EDF headers hold the recorder's wall clock, no zone
    assert header.recording_field.strip() == "Startdate 26-JAN-2025 X X Compumedics"
    assert b"06.05.25" not in after and b"06-MAY-2025" not in after
    assert source.read_bytes()[256:] == after[256:]  # signals untouched
