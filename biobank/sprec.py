"""The ISBER Standard PREanalytical Code (SPREC) of a fluid specimen, from what was recorded. Pure Python.

SPREC is seven elements joined by hyphens, e.g. ``PL1-PED-A-E-N-A-B``: type of sample, primary container,
pre-centrifugation (delay and temperature), first centrifugation, second centrifugation, post-centrifugation
(delay and temperature) and long-term storage. The tables below are SPREC 3.0's fluid tables (Betsou et al., Biopreserv
Biobank 2018;16:9; the same letters as in public SPREC tools' code lists), restricted to the options this server
records. SPREC 4.0 (2024) adds options; its own tables could not be read here, so check them before exchanging
codes with another biobank. docs/biobank.md lists every code with
its meaning and what is not covered; a value outside the covered options is coded Z ("other"), a missing one X
("unknown"), as SPREC itself does.
"""

from __future__ import annotations

from dataclasses import dataclass

UNKNOWN, OTHER, NOT_APPLICABLE = "X", "Z", "N"

# Element 3, pre-centrifugation: (upper bound in hours, code at room temperature, code at 2-10 °C).
PRE_CENTRIFUGATION = ((2, "A", "B"), (4, "C", "D"), (8, "E", "F"), (12, "G", "H"), (24, "I", "J"), (48, "K", "L"))
PRE_OVER_48H = ("M", "N")
# Element 6, post-centrifugation: (upper bound in hours, code at room temperature, code at 2-10 °C).
POST_CENTRIFUGATION = ((1, "B", "A"), (2, "D", "C"), (8, "F", "E"), (24, "H", "G"))
POST_OVER_24H = ("J", "I")
# Elements 4 and 5, centrifugation for 10-15 min: (cold, speed band, brake on) -> code. Speed bands: < 3000 g,
# 3000-6000 g, 6000-10000 g, > 10000 g. SPREC has no code for a fast spin without the brake (that is Z, other).
CENTRIFUGATION = {
    (False, 0, False): "A",
    (False, 0, True): "B",
    (True, 0, False): "C",
    (True, 0, True): "D",
    (False, 1, True): "E",
    (True, 1, True): "F",
    (False, 2, True): "G",
    (True, 2, True): "H",
    (False, 3, True): "I",
    (True, 3, True): "J",
}
SLOW_LONG_SPIN = "M"  # 30 min, < 1000 g, room temperature, no brake (cells)
# Element 7, long-term storage in a 0.5-2 mL polypropylene tube: (lowest °C, highest °C, code); V is below -135 °C
# (nitrogen vapour or liquid).
STORAGE = ((-85, -60, "A"), (-35, -18, "B"), (-273, -135, "V"))


@dataclass(frozen=True)
class Spin:
    minutes: int | None
    g_force: int | None
    temperature_c: float | None
    braking: bool = True


@dataclass(frozen=True)
class Preanalytics:
    """What the code is made from. Delays are minutes; ``cold`` means kept at 2-10 °C during the delay."""

    sample_type: str  # element 1 (studies.protocol.specimens.BASES)
    container: str  # element 2
    pre_delay_minutes: int | None  # collection -> first centrifugation (or -> freezing, without one)
    pre_cold: bool = False
    first_spin: Spin | None = None  # None: not centrifuged
    second_spin: Spin | None = None
    post_delay_minutes: int | None = None  # centrifugation -> freezing
    post_cold: bool = False
    storage_temperature_c: float | None = None
    storage_in_cryotube: bool = True


def sprec_code(p: Preanalytics) -> str:
    return "-".join(
        (
            p.sample_type or "ZZZ",
            p.container or "XXX",
            _delay(p.pre_delay_minutes, p.pre_cold, PRE_CENTRIFUGATION, PRE_OVER_48H),
            _spin(p.first_spin),
            _spin(p.second_spin),
            _post(p),
            _storage(p.storage_temperature_c, p.storage_in_cryotube),
        )
    )


def _delay(minutes: int | None, cold: bool, table, over: tuple[str, str]) -> str:
    if minutes is None:
        return UNKNOWN
    if minutes < 0:
        return OTHER
    column = 2 if cold else 1
    for hours, *codes in table:
        if minutes < hours * 60:
            return codes[column - 1]
    return over[column - 1]


def _spin(spin: Spin | None) -> str:
    if spin is None:
        return NOT_APPLICABLE
    if spin.minutes is None or spin.g_force is None or spin.temperature_c is None:
        return UNKNOWN
    if 2 <= spin.temperature_c <= 10:
        cold = True
    elif 18 <= spin.temperature_c <= 28:  # room temperature
        cold = False
    else:
        return OTHER
    if spin.minutes == 30 and spin.g_force < 1000 and not cold and not spin.braking:
        return SLOW_LONG_SPIN
    if not 10 <= spin.minutes <= 15:
        return OTHER
    return CENTRIFUGATION.get((cold, _speed_band(spin.g_force), spin.braking), OTHER)


def _speed_band(g_force: int) -> int:
    return 0 if g_force < 3000 else 1 if g_force <= 6000 else 2 if g_force <= 10000 else 3


def _post(p: Preanalytics) -> str:
    if p.first_spin is None:
        return NOT_APPLICABLE
    return _delay(p.post_delay_minutes, p.post_cold, POST_CENTRIFUGATION, POST_OVER_24H)


def _storage(temperature_c: float | None, in_cryotube: bool) -> str:
    if temperature_c is None:
        return UNKNOWN
    if not in_cryotube:
        return OTHER
    return next((code for low, high, code in STORAGE if low <= temperature_c <= high), OTHER)
