"""SPREC codes of hand-worked examples (biobank/sprec.py; SPREC 3.0's fluid tables, listed in docs/biobank.md)."""

import pytest

from biobank.sprec import Preanalytics, Spin, sprec_code

COLD_SPIN = Spin(minutes=10, g_force=2000, temperature_c=4)

EXAMPLES = [
    # EDTA plasma: centrifuged 90 min after collection (room temperature: A), 10 min at 2000 g and 4 °C with the
    # brake on (D), no second spin (N), frozen 30 min later at room temperature (B), kept at -80 °C (A).
    (Preanalytics("PL1", "PED", 90, False, COLD_SPIN, None, 30, False, -80), "PL1-PED-A-D-N-B-A"),
    # Serum: clotted 3 h at room temperature (C), 15 min at 3500 g, 22 °C, brake on (E); 90 min on ice (C);
    # nitrogen below -135 °C (V).
    (Preanalytics("SER", "SST", 180, False, Spin(15, 3500, 22), None, 90, True, -196), "SER-SST-C-E-N-C-V"),
    # The same spin without the brake has no code of its own: other (Z).
    (Preanalytics("SER", "SST", 180, False, Spin(15, 3500, 22, False), None, 90, True, -196), "SER-SST-C-Z-N-C-V"),
    # Stool: not centrifuged, frozen 5 h after collection kept at 4 °C (F), -80 °C (A).
    (Preanalytics("STL", "PPS", 300, True, None, None, None, False, -80), "STL-PPS-F-N-N-N-A"),
    # Double-spun plasma: 30 min cold (B), first spin D, second cold at 4000 g (F); 26 h cold before freezing
    # (over 24 h, I); -20 °C (B).
    (
        Preanalytics("PL2", "PED", 30, True, COLD_SPIN, Spin(10, 4000, 4), 26 * 60, True, -20),
        "PL2-PED-B-D-F-I-B",
    ),
    # Cells: 30 min at 800 g, room temperature, no brake: M.
    (Preanalytics("BFF", "PED", 60, False, Spin(30, 800, 22, False), None, 10, False, -80), "BFF-PED-A-M-N-B-A"),
    # Nothing recorded about times or storage: unknown (X), not guessed.
    (Preanalytics("BLD", "PED", None, False, None, None, None, False, None), "BLD-PED-X-N-N-N-X"),
    # A 30-min cold spin and storage at -40 °C are outside the covered options: other (Z).
    (Preanalytics("PL1", "PED", 60, False, Spin(30, 2000, 4), None, 10, False, -40), "PL1-PED-A-Z-N-B-Z"),
]


@pytest.mark.parametrize(("recorded", "code"), EXAMPLES)
def test_hand_worked_examples_match(recorded, code):
    assert sprec_code(recorded) == code


@pytest.mark.parametrize(
    ("minutes", "code"),
    [(0, "A"), (119, "A"), (120, "C"), (239, "C"), (479, "E"), (720, "I"), (2879, "K"), (2880, "M")],
)
def test_the_pre_centrifugation_bounds_are_half_open(minutes, code):
    assert sprec_code(Preanalytics("PL1", "PED", minutes, False, COLD_SPIN, None, 0, False, -80)).split("-")[2] == code
