"""Quantitative sensory testing, electrical: summaries across body sites.

Seed 000 (LBPB) applies surface-electrode stimulation of 0-110 V (STM200 device) at the
same five sites as the von Frey test and records detection and pain thresholds in volts
with a 0-10 unpleasantness NRS. The derived values and their missing-data rule are the
ones of ``qst_mech`` (means need all five sites; lumbar minus mean of measured arms).
"""

from __future__ import annotations

from typing import Any

from ._registry import Responses, scorer
from .qst_mech import site_summary


@scorer("qst_elec")
def score_qst_elec(responses: Responses) -> dict[str, Any]:
    return site_summary(responses, "qst_elec", 110, 1)
