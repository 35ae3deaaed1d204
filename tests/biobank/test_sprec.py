"""SPREC codes of hand-worked examples (biobank/sprec.py; the tables are in docs/biobank.md)."""

import pytest

from biobank.sprec import Preanalytics, Spin, sprec_code

COLD_SPIN = Spin(minutes=10, g_force=2000, temperature_c=4)

EXAMPLES = [
    # EDTA plasma: centrifuged 90 min after collection (room temperature), 10 min at 2000 g and 4 °C with the
    # brake on, no second spin, frozen 30 min later, kept at -80 °C in a cryotube.
    (Preanalytics("PL1", "PED", 90, False, COLD_SPIN, None, 30, False, -80), "PL1-PED-A-E-N-A-B"),
    # Serum: clotted 3 h at room temperature, 15 min at 3500 g, 22 °C, no brake; 90 min on ice; liquid nitrogen.
    (Preanalytics("SER", "SST", 180, False, Spin(15, 3500, 22, False), None, 90, True, -196), "SER-SST-B-D-N-G-C"),
    # Stool: not centrifuged, frozen 5 h after collection kept at 4 °C, -80 °C.
    (Preanalytics("STL", "PPS", 300, True, None, None, None, False, -80), "STL-PPS-G-N-N-N-B"),
    # Double-spun plasma, second spin cold and fast; 26 h before freezing: the "over 24 h" code.
    (
        Preanalytics("PL2", "PED", 30, True, COLD_SPIN, Spin(10, 4000, 4), 26 * 60, True, -20),
        "PL2-PED-E-E-G-J-A",
    ),
    # Nothing recorded about times or storage: unknown (X), not guessed.
    (Preanalytics("BLD", "PED", None, False, None, None, None, False, None), "BLD-PED-X-N-N-N-X"),
    # A 30-min spin and storage at -40 °C are outside the covered options: other (Z).
    (Preanalytics("PL1", "PED", 60, False, Spin(30, 2000, 4), None, 10, False, -40), "PL1-PED-A-Z-N-A-Z"),
]


@pytest.mark.parametrize(("recorded", "code"), EXAMPLES)
def test_hand_worked_examples_match(recorded, code):
    assert sprec_code(recorded) == code


@pytest.mark.parametrize(
    ("minutes", "code"),
    [(0, "A"), (119, "A"), (120, "B"), (239, "B"), (479, "C"), (720, "I"), (2879, "K"), (2880, "M")],
)
def test_the_pre_centrifugation_bounds_are_half_open(minutes, code):
    assert sprec_code(Preanalytics("PL1", "PED", minutes, False, COLD_SPIN, None, 0, False, -80)).split("-")[2] == code
