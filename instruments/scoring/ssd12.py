"""Somatic Symptom Disorder - B Criteria Scale (SSD-12) scorer.

Toussaint A, Murray AM, Voigt K, et al. Development and validation of the Somatic Symptom
Disorder-B Criteria Scale (SSD-12). Psychosom Med. 2016;78(1):5-12. Twelve items scored 0 (never)
to 4 (very often), summed to 0-48. The items rotate through the three DSM-5 B criteria, so the
cognitive subscale is items 1, 4, 7, 10, affective 2, 5, 8, 11 and behavioral 3, 6, 9, 12 (each
0-16). The Chinese SSD-12 (Li T et al. Front Psychiatry. 2020;11:223) keeps items and scoring.

Missing data: no proration rule is published, so each score needs all of its items.
"""

from ._common import bounded_values, total_or_none, whole
from ._registry import Responses, Scores, scorer

SUBSCALES = {"cognitive": (1, 4, 7, 10), "affective": (2, 5, 8, 11), "behavioral": (3, 6, 9, 12)}


@scorer("ssd12")
def score_ssd12(responses: Responses) -> Scores:
    values = dict(enumerate(bounded_values(responses, [f"ssd12_{n}" for n in range(1, 13)], 0, 4), start=1))
    result = {"total": whole(total_or_none(list(values.values())))}
    for name, numbers in SUBSCALES.items():
        result[name] = whole(total_or_none([values[n] for n in numbers]))
    return result
