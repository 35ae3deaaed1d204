"""ODI (Oswestry Disability Index, version 2.1a) scorer.

Fairbank JC, Pynsent PB. The Oswestry Disability Index. Spine. 2000;25(22):2940-2952.
Ten sections scored 0-5. The index is the sum divided by the maximum possible for the
sections answered (5 x answered) x 100, so a missed section lowers the denominator
(Fairbank 2000 gives the one-missed-section example 16/45 x 100). Fairbank sets no upper limit
on missed sections; we score when at least 8 of 10 are answered (at most 2 missed, e.g. the
often-skipped sex-life section plus one other) and return None below that, so an index is never
built from a minority of the questionnaire.

Bands (Fairbank 2000, after Fairbank 1980): 0-20 minimal disability, 21-40 moderate,
41-60 severe, 61-80 crippled, 81-100 bed-bound. A prorated index can fall between whole
numbers, so each band is read as "up to and including" its upper bound (20.5 is moderate).
"""

from ._common import answered, bounded_values, whole
from ._registry import Responses, Scores, scorer

ITEMS = [f"odi_{n}" for n in range(1, 11)]
MIN_ANSWERED = 8
# (inclusive upper bound, band)
BANDS = [(20, "minimal"), (40, "moderate"), (60, "severe"), (80, "crippled"), (100, "bed_bound")]


def odi_band(percent: float | None) -> str | None:
    if percent is None:
        return None
    for upper, name in BANDS:
        if percent <= upper:
            return name
    return None


@scorer("odi")
def score_odi(responses: Responses) -> Scores:
    got = answered(bounded_values(responses, ITEMS, 0, 5))
    if len(got) < MIN_ANSWERED:
        return {"total": None, "raw": None, "band": None}
    raw = sum(got)
    percent = raw * 100 / (5 * len(got))  # multiply first: keeps whole per cents exact
    return {"total": whole(percent), "raw": whole(raw), "band": odi_band(percent)}
