"""BPI-SF (Brief Pain Inventory, short form) scorer.

Cleeland CS. The Brief Pain Inventory User Guide. Houston: MD Anderson Cancer Center; 2009.
- Severity: the guide's developers recommend using all four severity items (3 worst, 4 least,
  5 average, 6 now; each 0-10); the composite is their mean, so it needs all four.
- Interference: mean of the seven items 9A-9G (0-10), usable when more than 50% (at least
  four of seven) are answered.
The guide defines no total (severity and interference are separate domains), so none is returned.
Single severity items are returned as ``worst``, ``least``, ``average`` and ``now``.
"""

from ._common import bounded, bounded_values, mean_or_none, whole
from ._registry import Responses, Scores, scorer

SEVERITY = {"worst": "bpi_3", "least": "bpi_4", "average": "bpi_5", "now": "bpi_6"}
INTERFERENCE = [f"bpi_9{letter}" for letter in "abcdefg"]


@scorer("bpi")
def score_bpi(responses: Responses) -> Scores:
    singles = {name: bounded(responses.get(code), 0, 10, integer=True) for name, code in SEVERITY.items()}
    severity = mean_or_none(list(singles.values()), min_answered=len(SEVERITY))
    interference = mean_or_none(bounded_values(responses, INTERFERENCE, 0, 10), min_answered=4)
    result = {"severity": whole(severity), "interference": whole(interference)}
    result.update({name: whole(value) for name, value in singles.items()})
    return result
