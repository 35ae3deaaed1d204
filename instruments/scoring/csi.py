"""Central Sensitization Inventory (CSI) scorer.

Mayer TG, Neblett R, Cohen H, et al. The development and psychometric validation of the Central
Sensitization Inventory. Pain Pract. 2012;12(4):276-285. Part A: 25 items scored 0 (never) to
4 (always), summed to 0-100; no reversed items. Part B (previous diagnoses) is not scored.

Severity levels: Neblett R, Hartzell MM, Mayer TG, et al. Establishing clinically relevant severity
levels for the Central Sensitization Inventory. Pain Pract. 2017;17(2):166-175: subclinical 0-29,
mild 30-39, moderate 40-49, severe 50-59, extreme 60-100.

Missing data: neither paper gives a proration rule, so the total needs all 25 Part A items.
"""

from ._common import band, bounded_values, total_or_none, whole
from ._registry import Responses, Scores, scorer

ITEMS = [f"csi_{n}" for n in range(1, 26)]
BANDS = [(0, "subclinical"), (30, "mild"), (40, "moderate"), (50, "severe"), (60, "extreme")]


@scorer("csi")
def score_csi(responses: Responses) -> Scores:
    total = total_or_none(bounded_values(responses, ITEMS, 0, 4))
    return {"total": whole(total), "band": band(total, BANDS)}
