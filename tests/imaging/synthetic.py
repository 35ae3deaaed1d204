"""Synthetic recordings with known content, for what no real file can provide (no wheel ships a PSG)."""

from datetime import date, time
from pathlib import Path

import edfio
import numpy as np

# 20 epochs of 30 s. Hand counts: W 7, N1 1, N2 5, N3 3, R 3, unscored 1 (see test_sleep_measures.py).
HYPNOGRAM = (
    "W",
    "W",
    "W",
    "N1",
    "N2",
    "N2",
    "W",
    "N2",
    "N3",
    "N3",
    "N3",
    "N2",
    "R",
    "R",
    "W",
    "N2",
    "R",
    "?",
    "W",
    "W",
)
# The same night as EDF+ annotations in the spellings scorers export (AASM, R&K, short forms), with
# durations that cover several epochs as in Sleep-EDF, plus two annotations that are not stages.
STAGE_ANNOTATIONS = (
    (0, 90, "Sleep stage W"),
    (90, 30, "Sleep stage 1"),
    (120, 60, "Sleep stage 2"),
    (180, None, "W"),
    (210, 30, "N2"),
    (240, 30, "Sleep stage 3"),
    (270, 60, "Sleep stage 4"),
    (330, 30, "2"),
    (360, 60, "Sleep stage R"),
    (420, 30, "Sleep stage W"),
    (450, 30, "Sleep stage N2"),
    (480, 30, "REM"),
    (510, 30, "Movement time"),
    (540, 60, "Sleep stage W"),
    (0, None, "Lights off"),
    (300, 12, "Desaturation"),
)
# SpO2 at 1 Hz for 600 s: baseline 97 %; three 20-s dips to 92 % (drop 5, counted); one 20-s dip to
# 95 % (drop 2, not counted); one 5-s dip to 93 % (drop 4 but shorter than 10 s, not counted).
DIPS = ((100, 20, 92.0), (250, 20, 92.0), (400, 20, 92.0), (480, 20, 95.0), (550, 5, 93.0))


def spo2_trace() -> np.ndarray:
    trace = np.full(600, 97.0)
    for start, length, value in DIPS:
        trace[start : start + length] = value
    return trace


def write_psg(path: Path, *, scored: bool = True) -> Path:
    """A 10-minute PSG; ``scored=False`` leaves out the stage annotations (automatic staging then applies)."""
    rng = np.random.default_rng(7)
    seconds = 600
    signals = [
        edfio.EdfSignal(
            rng.normal(0, 20, seconds * 100), 100, label="C4-M1", physical_dimension="uV", physical_range=(-500, 500)
        ),
        edfio.EdfSignal(
            rng.normal(0, 20, seconds * 100), 100, label="E1-M2", physical_dimension="uV", physical_range=(-500, 500)
        ),
        edfio.EdfSignal(
            rng.normal(0, 5, seconds * 100),
            100,
            label="Chin1-Chin2",
            physical_dimension="uV",
            physical_range=(-500, 500),
        ),
        edfio.EdfSignal(
            rng.normal(0, 5, seconds * 100), 100, label="Leg/L", physical_dimension="uV", physical_range=(-500, 500)
        ),
        edfio.EdfSignal(spo2_trace(), 1, label="SpO2", physical_dimension="%", physical_range=(0, 100)),
        edfio.EdfSignal(np.full(seconds, 60.0), 1, label="PR", physical_dimension="bpm", physical_range=(0, 250)),
    ]
    edf = edfio.Edf(
        signals,
        patient=edfio.Patient(code="MRN123456", sex="F", birthdate=date(1970, 3, 1), name="Wang_Fang"),
        recording=edfio.Recording(
            startdate=date(2025, 5, 6),
            hospital_administration_code="PSG-42",
            investigator_technician_code="Li_Na",
            equipment_code="Compumedics",
        ),
        starttime=time(22, 30, 0),
        annotations=[
            edfio.EdfAnnotation(onset, duration, text)
            for onset, duration, text in STAGE_ANNOTATIONS
            if scored or text in ("Lights off", "Desaturation")
        ],
    )
    edf.write(path)
    return path


LONG_LABELS = (
    "C3-M2",
    "C4-M1",
    "F3-M2",
    "F4-M1",
    "O1-M2",
    "O2-M1",
    "E1-M2",
    "E2-M1",
    "Chin1-Chin2",
    "Leg/L",
    "Leg/R",
    "ECG",
    "SpO2",
    "PR",
    "Flow",
    "Thor",
    "Abdo",
    "Snore",
    "Position",
    "Pleth",
)
LONG_STAGES = ("W", "N1", "N2", "N2", "N3", "N3", "N2", "R", "R", "N2")  # repeated: a 5-minute cycle


def _ecg(seconds: int, fs: int, rng) -> np.ndarray:
    """Gaussian QRS spikes at about 62 bpm with a little RR variability, on a quiet baseline (mV)."""
    rr = 0.97 + 0.03 * np.sin(np.arange(int(seconds * 1.1)) / 5) + rng.normal(0, 0.01, int(seconds * 1.1))
    beats = np.cumsum(rr)
    beats = beats[beats < seconds - 1]
    signal = rng.normal(0, 0.01, seconds * fs)
    width = np.arange(-8, 9)
    kernel = np.exp(-((width / 3.0) ** 2))
    for beat in (beats * fs).astype(int):
        signal[beat - 8 : beat + 9] += kernel
    return signal


def write_long_psg(path: Path, *, hours: float = 8, fs: int = 256) -> Path:
    """An 8-hour, 20-channel, 256 Hz EDF+ scored in 30-s epochs; written in a few seconds (one noise block of
    30 s per channel is tiled, so memory stays at one channel at a time plus edfio's own copy)."""
    rng = np.random.default_rng(11)
    seconds = int(hours * 3600)
    block = rng.normal(0, 20, 30 * fs)
    signals = []
    for label in LONG_LABELS:
        if label == "ECG":
            data, dimension, limits = _ecg(seconds, fs, rng), "mV", (-5, 5)
        elif label == "SpO2":
            data, dimension, limits = np.full(seconds * fs, 96.0), "%", (0, 100)
        elif label == "PR":
            data, dimension, limits = np.full(seconds * fs, 62.0), "bpm", (0, 250)
        else:
            data, dimension, limits = np.tile(block, seconds // 30), "uV", (-500, 500)
        signals.append(edfio.EdfSignal(data, fs, label=label, physical_dimension=dimension, physical_range=limits))
    stages = [LONG_STAGES[i % len(LONG_STAGES)] for i in range(seconds // 30)]
    names = {
        "W": "Sleep stage W",
        "N1": "Sleep stage N1",
        "N2": "Sleep stage N2",
        "N3": "Sleep stage N3",
        "R": "Sleep stage R",
    }
    edf = edfio.Edf(
        signals,
        patient=edfio.Patient(code="MRN998877", sex="M", birthdate=date(1962, 11, 4), name="Zhao_Lei"),
        recording=edfio.Recording(startdate=date(2025, 5, 6), equipment_code="Compumedics"),
        starttime=time(22, 0, 0),
        annotations=[edfio.EdfAnnotation(i * 30, 30, names[stage]) for i, stage in enumerate(stages)],
        data_record_duration=1,
    )
    edf.write(path)
    return path
