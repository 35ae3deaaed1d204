"""The ISBER Standard PREanalytical Code (SPREC) of a fluid specimen, from what was recorded. Pure Python.

SPREC is seven elements joined by hyphens, e.g. ``PL1-PED-A-E-N-A-B``: type of sample, primary container,
pre-centrifugation (delay and temperature), first centrifugation, second centrifugation, post-centrifugation
(delay and temperature) and long-term storage. The tables below are the fluid tables of SPREC as published by the
ISBER Biospecimen Science Working Group (Betsou et al., Cancer Epidemiol Biomarkers Prev 2010;19:1004, v1;
Lehmann et al., Biopreserv Biobank 2012;10:366, v2; Betsou et al., Biopreserv Biobank 2018;16:9, v3.0; SPREC v4.0,
Biopreserv Biobank 2024/25), restricted to the options this server records. docs/biobank.md lists every code with
its meaning and what is not covered; a value outside the covered options is coded Z ("other"), a missing one X
("unknown"), as SPREC itself does.
"""

from __future__ import annotations

from dataclasses import dataclass

UNKNOWN, OTHER, NOT_APPLICABLE = "X", "Z", "N"

# Element 3, pre-centrifugation: (upper bound in hours, code at room temperature, code at 2-10 °C).
PRE_CENTRIFUGATION = ((2, "A", "E"), (4, "B", "F"), (8, "C", "G"), (12, "D", "H"), (24, "I", "J"), (48, "K", "L"))
PRE_OVER_48H = ("M", "N")
# Element 6, post-centrifugation: (upper bound in hours, code at room temperature, code at 2-10 °C).
POST_CENTRIFUGATION = ((1, "A", "F"), (2, "B", "G"), (8, "C", "H"), (24, "D", "I"))
POST_OVER_24H = ("E", "J")
# Elements 4 and 5, centrifugation at 10-15 min: (cold, speed 3000-6000 g, no braking) -> code.
CENTRIFUGATION = {
    (False, False, False): "A",
    (False, False, True): "B",
    (False, True, False): "C",
    (False, True, True): "D",
    (True, False, False): "E",
    (True, False, True): "F",
    (True, True, False): "G",
    (True, True, True): "H",
}
# Element 7, long-term storage in a 0.5-2 mL polypropylene cryotube: (lowest °C, highest °C, code).
STORAGE = ((-35, -18, "A"), (-85, -60, "B"), (-200, -190, "C"), (-189, -150, "D"))


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
    if not 10 <= spin.minutes <= 15 or spin.g_force > 6000:
        return OTHER
    if 2 <= spin.temperature_c <= 10:
        cold = True
    elif 18 <= spin.temperature_c <= 28:  # room temperature
        cold = False
    else:
        return OTHER
    return CENTRIFUGATION[cold, spin.g_force >= 3000, not spin.braking]


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
