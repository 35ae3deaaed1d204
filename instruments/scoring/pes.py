"""Empathy for Pain Scale (EPS) scorer: the LBPB "Pain Empathy Scale" (code ``pes``).

Version: the EPS of Giummarra MJ, Fitzgibbon BM, Georgiou-Karistianis N, Beukelman M, Verdejo-Garcia A,
Blumberg Z, Chou M, Gibson SJ. Affective, sensory and empathic sharing of another's pain: the Empathy for
Pain Scale. Eur J Pain. 2015, in its Chinese version: Shang J (尚静), Ye X, Wang Y, et al. Reliability and
validity of the Chinese version of the Empathy for Pain Scale in medical students. Chin J Mod Nurs
(中华现代护理杂志). 2020;26(9):1140-1145. doi:10.3760/cma.j.cn115682-20190725-02673.

What the sources say (their abstracts): four painful scenarios (witnessing surgery, a patient recovering
from surgery, an assault, an accidental injury) are each rated for the same 12 emotional, empathic and
sensory responses, 48 ratings (``pes_1``-``pes_48``, scenario by scenario). Giummarra found three factors
(affective distress, vicarious pain, empathic concern); the Chinese version keeps the 12 items, finds two
factors (身心不适反应 and 移情反应) and reports a total score (总分). Neither source names a
reverse-scored response, so none is reversed.

What is computed: ``total``, the sum of the 48 ratings (0-480 on the 0-10 capture range). The Chinese
version reports a total score; the abstract does not say how it is formed, and a plain sum of every rating
is the reading that needs no key. The response-to-factor key and the printed rating range could not be
read, so no subscale is returned (a guessed key would be a wrong score, not a missing one); the 0-10 range
is the definition's capture range until the site confirms its form.

Missing data: the sources give no rule. Chosen rule: within a scenario one missing rating is replaced by
the mean of that scenario's 11 others (ratings of the same vignette are the closest stand-in); two or more
missing in any scenario leave the total uncomputable. The total is rounded to one decimal when a rating was
prorated.
"""

from ._common import bounded_values, prorated_total, rounded
from ._registry import Responses, Scores, scorer

LOW, HIGH = 0, 10  # the capture range of instruments/library/pes/1.0.yaml
RESPONSES = 12
SCENARIOS = 4
# At most one of the 12 ratings of a scenario may be missing.
MIN_ANSWERED = RESPONSES - 1


def _scenario_sum(responses: Responses, scenario: int) -> float | None:
    first = (scenario - 1) * RESPONSES + 1
    codes = [f"pes_{n}" for n in range(first, first + RESPONSES)]
    return prorated_total(bounded_values(responses, codes, LOW, HIGH), min_answered=MIN_ANSWERED)


@scorer("pes")
def score_pes(responses: Responses) -> Scores:
    sums = [_scenario_sum(responses, scenario) for scenario in range(1, SCENARIOS + 1)]
    present = [value for value in sums if value is not None]
    if len(present) < len(sums):
        return {"total": None}
    return {"total": rounded(sum(present), 1)}
