"""SF-36 scored as the RAND 36-Item Health Survey 1.0, with norm-based summary scores.

Domains: Hays RD, Sherbourne CD, Mazel RM. The RAND 36-Item Health Survey 1.0. Health Econ.
1993;2(3):217-227, and RAND "36-Item Short Form Survey (SF-36) Scoring Instructions".
Step 1 recodes every item to 0-100 (RAND Table 1: higher is better); step 2 averages the
answered items of each domain. RAND: "items that are left blank are not taken into account",
so a domain is scored when at least one of its items is answered.

Summary scores: Ware JE, Kosinski M, Keller SD. SF-36 Physical and Mental Health Summary
Scales: A User's Manual. Boston: The Health Institute; 1994. Each domain is standardised with
the 1990 US general-population mean and SD, weighted by the US factor score coefficients,
summed and turned into a T-score (50 + 10 x sum). US norms are used because the Chinese
SF-36 (Li L, Wang HM, Shen Y. J Epidemiol Community Health. 2003;57:259-263) publishes
domain norms but no Chinese factor score coefficients, and mixing Chinese means with US
weights is not a published algorithm. Both summaries need all eight domains.

RAND and Ware score six domains identically but differ for bodily pain (Ware's non-linear
recode of item 21 and its item 21/22 rule) and for general health item 1 (Hays 1993).
The norms and coefficients were derived with Ware's scoring, so the summaries use Ware's pain
and general health scores; the reported domain scores stay RAND's.
"""

from collections.abc import Mapping

from ._common import bounded, mean_or_none, whole
from ._registry import Responses, Scores, scorer

FIVE_DOWN = {1: 100, 2: 75, 3: 50, 4: 25, 5: 0}
FIVE_UP = {1: 0, 2: 25, 3: 50, 4: 75, 5: 100}
SIX_DOWN = {1: 100, 2: 80, 3: 60, 4: 40, 5: 20, 6: 0}
SIX_UP = {1: 0, 2: 20, 3: 40, 4: 60, 5: 80, 6: 100}
RECODE = {n: FIVE_DOWN for n in (1, 2, 20, 22, 34, 36)}
RECODE.update({n: {1: 0, 2: 50, 3: 100} for n in range(3, 13)})
RECODE.update({n: {1: 0, 2: 100} for n in range(13, 20)})
RECODE.update({n: SIX_DOWN for n in (21, 23, 26, 27, 30)})
RECODE.update({n: SIX_UP for n in (24, 25, 28, 29, 31)})
RECODE.update({n: FIVE_UP for n in (32, 33, 35)})

DOMAINS = {
    "physical_functioning": list(range(3, 13)),
    "role_physical": [13, 14, 15, 16],
    "role_emotional": [17, 18, 19],
    "vitality": [23, 27, 29, 31],
    "emotional_wellbeing": [24, 25, 26, 28, 30],
    "social_functioning": [20, 32],
    "pain": [21, 22],
    "general_health": [1, 33, 34, 35, 36],
}

# Ware 1994: US general population (1990) mean, SD, physical and mental factor score coefficients.
NORMS = {
    "physical_functioning": (84.52404, 22.89490, 0.42402, -0.22999),
    "role_physical": (81.19907, 33.79729, 0.35119, -0.12329),
    "pain": (75.49196, 23.55879, 0.31754, -0.09731),
    "general_health": (72.21316, 20.16964, 0.24954, -0.01571),
    "vitality": (61.05453, 20.86942, 0.02877, 0.23534),
    "social_functioning": (83.59753, 22.37642, -0.00753, 0.26876),
    "role_emotional": (81.29467, 33.02717, -0.19206, 0.43407),
    "emotional_wellbeing": (74.84212, 18.01189, -0.22069, 0.48581),
}


def recoded(responses: Responses, number: int) -> float | None:
    """Item ``number`` on RAND's 0-100 scale, or None when missing or not a valid code."""
    code = bounded(responses.get(f"sf36_{number}"), 1, 6, integer=True)
    return None if code is None else RECODE[number].get(int(code))


def domain_scores(responses: Responses) -> dict[str, float | None]:
    return {
        name: mean_or_none([recoded(responses, n) for n in items], min_answered=1) for name, items in DOMAINS.items()
    }


# Ware 1994: item 21 precode -> 1-6 points; item 22 when item 21 is missing.
WARE_PAIN_21 = {1: 6.0, 2: 5.4, 3: 4.2, 4: 3.1, 5: 2.2, 6: 1.0}
WARE_PAIN_22_ALONE = {1: 6.0, 2: 4.75, 3: 3.5, 4: 2.25, 5: 1.0}
# Ware 1994: item 1 precode -> 5.0, 4.4, 3.4, 2.0, 1.0 points, here put on the 0-100 item scale.
WARE_HEALTH_1 = {1: 100, 2: 85, 3: 60, 4: 25, 5: 0}


def _code(responses: Responses, number: int, top: int) -> int | None:
    got = bounded(responses.get(f"sf36_{number}"), 1, top, integer=True)
    return None if got is None else int(got)


def ware_pain(responses: Responses) -> float | None:
    """Bodily pain 0-100 with Ware's item 21/22 rules; one answered item stands for both."""
    first, second = _code(responses, 21, 6), _code(responses, 22, 5)
    points_21 = None if first is None else WARE_PAIN_21.get(first)
    if second is None:
        points_22 = points_21
    elif first is None:
        points_22 = WARE_PAIN_22_ALONE[second]
    elif second == 1:
        points_22 = 6.0 if first == 1 else 5.0
    else:
        points_22 = 6.0 - second
    if points_22 is None:
        return None
    if points_21 is None:
        points_21 = points_22
    return (points_21 + points_22 - 2) / 10 * 100


def ware_general_health(responses: Responses) -> float | None:
    code = _code(responses, 1, 5)
    first = None if code is None else WARE_HEALTH_1.get(code)
    return mean_or_none([first] + [recoded(responses, n) for n in (33, 34, 35, 36)], min_answered=1)


def summary_scores(domains: Mapping[str, float | None]) -> tuple[float | None, float | None]:
    """(PCS, MCS) T-scores from the eight domains, or (None, None) if any is missing."""
    values = [domains[name] for name in NORMS]
    present = [value for value in values if value is not None]
    if len(present) < len(values):
        return None, None
    physical = mental = 0.0
    for value, (mean, sd, phys_coef, ment_coef) in zip(present, NORMS.values(), strict=True):
        z = (value - mean) / sd
        physical += z * phys_coef
        mental += z * ment_coef
    return 50 + 10 * physical, 50 + 10 * mental


@scorer("sf36")
def score_sf36(responses: Responses) -> Scores:
    domains = domain_scores(responses)
    pcs, mcs = summary_scores(
        domains | {"pain": ware_pain(responses), "general_health": ware_general_health(responses)}
    )
    result = {name: whole(value) for name, value in domains.items()}
    result["pcs"] = pcs
    result["mcs"] = mcs
    result["health_transition"] = whole(recoded(responses, 2))
    return result
