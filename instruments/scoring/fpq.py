"""Family Pain Questionnaire (FPQ) scorer.

Ferrell BR, Rhiner M, Rivera LM. Development and evaluation of the Family Pain Questionnaire.
J Psychosoc Oncol. 1993;10(4):21-35. Sixteen items rated 0-10: knowledge items 1-9 and experience
items 10-16. The authors' form prints the end labels so that 0 is always the most positive answer
and 10 the most negative (e.g. item 1 runs agree -> disagree, item 2 disagree -> agree), so the
circled number is already the item score and nothing is reversed here. Subscales are reported as
the mean item score (0-10), as in the authors' reports; lower is better.

Missing data: no proration rule is published, so each subscale needs all of its items.
"""

from collections.abc import Sequence

from ._common import bounded_values, rounded, total_or_none
from ._registry import Responses, Scores, scorer

SUBSCALES = {"knowledge": range(1, 10), "experience": range(10, 17)}


def _mean(responses: Responses, numbers: Sequence[int]) -> int | float | None:
    codes = [f"fpq_{n}" for n in numbers]
    total = total_or_none(bounded_values(responses, codes, 0, 10))
    return None if total is None else rounded(total / len(codes), 2)


@scorer("fpq")
def score_fpq(responses: Responses) -> Scores:
    return {name: _mean(responses, numbers) for name, numbers in SUBSCALES.items()}
