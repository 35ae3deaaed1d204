"""Quantitative sensory testing, mechanical (von Frey): summaries across body sites.

Seed 000 (LBPB, NCT06967363) tests five sites (left leg, right leg, lumbar region, left
arm, right arm) with von Frey filaments of 0.008-300 g and asks for pain unpleasantness
on a 0-10 NRS. No published scoring exists for this site set, so the derived values are
descriptive: the mean of each measure across the five sites (None unless all five are
measured, since a missing site would shift the mean), and the lumbar value minus the
mean of the measured arms, a local-versus-remote contrast in the spirit of the DFNS
protocol (Rolke R et al. Pain. 2006;123:231-243). Log transformation of thresholds, as
DFNS recommends for analysis, is left to the analysis stage.
"""

from __future__ import annotations

from typing import Any

from ._common import difference, mean_or_none, number_in, rounded
from ._registry import Responses, scorer

SITES = ["left_leg", "right_leg", "lumbar", "left_arm", "right_arm"]
ARMS = ["left_arm", "right_arm"]


def site_values(responses: Responses, prefix: str, measure: str, high: float) -> dict[str, float | None]:
    return {site: number_in(responses.get(f"{prefix}_{site}_{measure}"), 0, high) for site in SITES}


def site_summary(responses: Responses, prefix: str, high: float, ndigits: int) -> dict[str, Any]:
    """Means across all sites and lumbar-minus-arm contrasts for detection and pain thresholds."""
    result: dict[str, Any] = {}
    for measure in ("detection", "pain"):
        values = site_values(responses, prefix, measure, high)
        arm = mean_or_none([values[site] for site in ARMS], min_answered=1)
        mean = mean_or_none(list(values.values()), min_answered=len(SITES))
        result[f"{measure}_mean"] = rounded(mean, ndigits)
        result[f"{measure}_lumbar_minus_arm"] = rounded(difference(values["lumbar"], arm), ndigits)
    ratings = site_values(responses, prefix, "unpleasantness", 10)
    result["unpleasantness_mean"] = rounded(mean_or_none(list(ratings.values()), min_answered=len(SITES)), 1)
    return result


@scorer("qst_mech")
def score_qst_mech(responses: Responses) -> dict[str, Any]:
    return site_summary(responses, "qst_mech", 300, 3)
