"""CSQ-R (Coping Strategies Questionnaire - Revised) scorer.

Riley JL 3rd, Robinson ME. CSQ: five factors or fiction? Clin J Pain. 1997;13(2):156-162. A confirmatory
factor analysis (n = 472) in which the six-factor "Florida" model fitted best; the authors propose the
CSQ-R, which keeps 27 of the original items. The six factors come from Robinson ME, Riley JL 3rd, Myers CD,
Sadler IJ, Kvaal SA, Geisser ME, Keefe FJ. The Coping Strategies Questionnaire: a large sample, item level
factor analysis. Clin J Pain. 1997;13(1):43-49. Original CSQ: Rosenstiel AK, Keefe FJ. Pain.
1983;17(1):33-44.

Version: the 27-item CSQ-R, items numbered as on the original 48-item CSQ (item codes ``csq_<n>``), each
rated 0 (never do that) to 6 (always do that). The CSQ-R drops the original effectiveness ratings and
has no total: its subscales mix adaptive strategies with catastrophizing, so a sum would mean nothing.
Subscales (original item numbers):
distraction 3, 30, 31, 43, 45 (0-30); catastrophizing 5, 12, 14, 28, 38, 42 (0-36);
ignoring pain sensations 20, 24, 27, 35, 40 (0-30); distancing from pain 1, 18, 34, 46 (0-24);
coping self-statements 6, 8, 23, 37 (0-24); praying 17, 32, 41 (0-18).
No item is reversed. Each subscale is the sum of its items, as the CSQ scores its subscales (Abbott A.
J Physiother. 2010;56(1):63: each six-item subscale scores 0-36); divide by the item count for a 0-6 mean.

Missing data: neither Riley and Robinson nor Robinson et al. give a proration rule, so a subscale needs
all of its items; a missing or out-of-range answer leaves that subscale None and the others scored.
"""

from collections.abc import Sequence

from ._common import bounded_values, total_or_none, whole
from ._registry import Responses, Scores, scorer

SUBSCALES = {
    "distraction": (3, 30, 31, 43, 45),
    "catastrophizing": (5, 12, 14, 28, 38, 42),
    "ignoring_pain_sensations": (20, 24, 27, 35, 40),
    "distancing_from_pain": (1, 18, 34, 46),
    "coping_self_statements": (6, 8, 23, 37),
    "praying": (17, 32, 41),
}


def _sum(responses: Responses, numbers: Sequence[int]) -> int | float | None:
    return whole(total_or_none(bounded_values(responses, [f"csq_{n}" for n in numbers], 0, 6)))


@scorer("csq")
def score_csq(responses: Responses) -> Scores:
    return {name: _sum(responses, numbers) for name, numbers in SUBSCALES.items()}
