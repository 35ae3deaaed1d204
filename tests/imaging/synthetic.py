"""Synthetic recordings with known content, for what no real file can provide (no wheel ships a PSG)."""

from datetime import date, time
from pathlib import Path

import edfio
import numpy as np

# 20 epochs of 30 s. Hand counts: W 7, N1 1, N2 5, N3 3, R 3, unscored 1 (see test_sleep_measures.py).
HYPNOGRAM = ("W", "W", "W", "N1", "N2", "N2", "W", "N2", "N3", "N3",
             "N3", "N2", "R", "R", "W", "N2", "R", "?", "W", "W")
# The same night as EDF+ annotations in the spellings scorers export (AASM, R&K, short forms), with
# durations that cover several epochs as in Sleep-EDF, plus two annotations that are not stages.
STAGE_ANNOTATIONS = (
    (0, 90, "Sleep stage W"), (90, 30, "Sleep stage 1"), (120, 60, "Sleep stage 2"), (180, None, "W"),
    (210, 30, "N2"), (240, 30, "Sleep stage 3"), (270, 60, "Sleep stage 4"), (330, 30, "2"),
    (360, 60, "Sleep stage R"), (420, 30, "Sleep stage W"), (450, 30, "Sleep stage N2"), (480, 30, "REM"),
    (510, 30, "Movement time"), (540, 60, "Sleep stage W"),
    (0, None, "Lights off"), (300, 12, "Desaturation"),
)
# SpO2 at 1 Hz for 600 s: baseline 97 %; three 20-s dips to 92 % (drop 5, counted); one 20-s dip to
# 95 % (drop 2, not counted); one 5-s dip to 93 % (drop 4 but shorter than 10 s, not counted).
DIPS = ((100, 20, 92.0), (250, 20, 92.0), (400, 20, 92.0), (480, 20, 95.0), (550, 5, 93.0))


def spo2_trace() -> np.ndarray:
    trace = np.full(600, 97.0)
    for start, length, value in DIPS:
        trace[start:start + length] = value
    return trace


def write_psg(path: Path) -> Path:
    rng = np.random.default_rng(7)
    seconds = 600
    signals = [
        edfio.EdfSignal(rng.normal(0, 20, seconds * 100), 100, label="C4-M1", physical_dimension="uV",
                        physical_range=(-500, 500)),
        edfio.EdfSignal(rng.normal(0, 20, seconds * 100), 100, label="E1-M2", physical_dimension="uV",
                        physical_range=(-500, 500)),
        edfio.EdfSignal(rng.normal(0, 5, seconds * 100), 100, label="Chin1-Chin2", physical_dimension="uV",
                        physical_range=(-500, 500)),
        edfio.EdfSignal(rng.normal(0, 5, seconds * 100), 100, label="Leg/L", physical_dimension="uV",
                        physical_range=(-500, 500)),
        edfio.EdfSignal(spo2_trace(), 1, label="SpO2", physical_dimension="%", physical_range=(0, 100)),
        edfio.EdfSignal(np.full(seconds, 60.0), 1, label="PR", physical_dimension="bpm",
                        physical_range=(0, 250)),
    ]
    edf = edfio.Edf(
        signals,
        patient=edfio.Patient(code="MRN123456", sex="F", birthdate=date(1970, 3, 1), name="Wang_Fang"),
        recording=edfio.Recording(startdate=date(2025, 5, 6), hospital_administration_code="PSG-42",
                                  investigator_technician_code="Li_Na", equipment_code="Compumedics"),
        starttime=time(22, 30, 0),
        annotations=[edfio.EdfAnnotation(onset, duration, text) for onset, duration, text in STAGE_ANNOTATIONS],
    )
    edf.write(path)
    return path
