"""The pain-mechanism profile of one participant: a research classification from their latest scored scales.

Pure Python (no Django): the cut-offs are data (``rules.INDICATORS``, ``rules.DRIVERS``), each with the paper that
published it, and ``profile`` reads them against a mapping ``instrument code -> scores``. A scale that was not
scored gives "unknown", never "absent" (docs/dashboards.md, "Pain-mechanism profile").
"""

from .profile import ABSENT, POSSIBLE, PRESENT, UNKNOWN, Finding, Profile, profile
from .rules import DRIVERS, INDICATORS, Cutoff

__all__ = [
    "ABSENT",
    "DRIVERS",
    "INDICATORS",
    "POSSIBLE",
    "PRESENT",
    "UNKNOWN",
    "Cutoff",
    "Finding",
    "Profile",
    "profile",
]
