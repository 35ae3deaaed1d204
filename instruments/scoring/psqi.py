"""PSQI (Pittsburgh Sleep Quality Index) scorer.

Buysse DJ, Reynolds CF 3rd, Monk TH, Berman SR, Kupfer DJ. The Pittsburgh Sleep Quality Index:
a new instrument for psychiatric practice and research. Psychiatry Res. 1989;28(2):193-213,
appendix "Scoring instructions". Seven components 0-3 and a global score 0-21; a global
score > 5 marks a "poor sleeper" (sensitivity 89.6%, specificity 86.5%).

Choices where the appendix is silent or its ranges touch:
- C3 duration: > 7 h = 0, 6-7 h = 1, 5-<6 h = 2, < 5 h = 3 (exactly 7 h and 6 h score 1).
- C4 efficiency: >= 85% = 0, 75-<85% = 1, 65-<75% = 2, < 65% = 3, on the percentage
  (not rounded to a whole per cent first).
  Time in bed runs from bedtime to getting-up time across midnight; equal times give None.
- C2 latency minutes: <= 15 = 0, 16-30 = 1, 31-60 = 2, > 60 = 3.
- C5 needs 5b-5i; an unanswered 5j ("other reason") counts as 0, since most respondents
  have no other reason to rate.
- The global score is None when any component is None (no proration, Buysse 1989).
"""

from collections.abc import Sequence
from typing import Any

from ._common import bounded, total_or_none, whole
from ._registry import Responses, Scores, scorer

DISTURBANCES = [f"psqi_5{letter}" for letter in "bcdefghi"]


def _choice(responses: Responses, code: str) -> float | None:
    return bounded(responses.get(code), 0, 3, integer=True)


def clock_minutes(value: Any) -> int | None:
    """Minutes after midnight for "HH:MM", or None when the text is not a valid time."""
    try:
        hours_text, minutes_text = str(value).strip().split(":")
        hours, minutes = int(hours_text), int(minutes_text)
    except (AttributeError, ValueError):
        return None
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        return None
    return hours * 60 + minutes


def hours_in_bed(bedtime: Any, rising: Any) -> float | None:
    """Hours from bedtime to getting up, wrapping past midnight (23:00 -> 07:00 is 8 h)."""
    start, end = clock_minutes(bedtime), clock_minutes(rising)
    if start is None or end is None:
        return None
    minutes = (end - start) % (24 * 60)
    return minutes / 60 if minutes else None


def _grade(value: float | None, steps: Sequence[tuple[float, int]]) -> int | None:
    """0-3 from ``steps``: [(upper bound inclusive, score), ...] ascending, else 3."""
    if value is None:
        return None
    for upper, grade in steps:
        if value <= upper:
            return grade
    return 3


def _pair_grade(a: float | None, b: float | None) -> int | None:
    """Components 2 and 7 sum two 0-3 scores: 0 -> 0, 1-2 -> 1, 3-4 -> 2, 5-6 -> 3."""
    if a is None or b is None:
        return None
    return _grade(a + b, [(0, 0), (2, 1), (4, 2)])


def latency(responses: Responses) -> int | None:
    minutes = bounded(responses.get("psqi_2"), 0, 24 * 60)
    minutes_score = _grade(minutes, [(15, 0), (30, 1), (60, 2)])
    return _pair_grade(minutes_score, _choice(responses, "psqi_5a"))


def duration(responses: Responses) -> int | None:
    hours = bounded(responses.get("psqi_4"), 0, 24)
    if hours is None:
        return None
    if hours > 7:
        return 0
    if hours >= 6:
        return 1
    return 2 if hours >= 5 else 3


def efficiency(responses: Responses) -> int | None:
    slept = bounded(responses.get("psqi_4"), 0, 24)
    in_bed = hours_in_bed(responses.get("psqi_1"), responses.get("psqi_3"))
    if slept is None or in_bed is None:
        return None
    # Rounded so that a ratio worked as exactly 85% on paper is not 84.999... in binary.
    percent = round(slept / in_bed * 100, 6)
    for lower, grade in ((85, 0), (75, 1), (65, 2)):
        if percent >= lower:
            return grade
    return 3


def disturbance(responses: Responses) -> int | None:
    values = [_choice(responses, code) for code in DISTURBANCES]
    other = _choice(responses, "psqi_5j")
    if other is None:
        other = 0
    total = total_or_none(values + [other])
    return _grade(total, [(0, 0), (9, 1), (18, 2)])


def components(responses: Responses) -> dict[str, float | None]:
    return {
        "c1_quality": _choice(responses, "psqi_6"),
        "c2_latency": latency(responses),
        "c3_duration": duration(responses),
        "c4_efficiency": efficiency(responses),
        "c5_disturbance": disturbance(responses),
        "c6_medication": _choice(responses, "psqi_7"),
        "c7_daytime_dysfunction": _pair_grade(_choice(responses, "psqi_8"), _choice(responses, "psqi_9")),
    }


@scorer("psqi")
def score_psqi(responses: Responses) -> Scores:
    result: Scores = {name: whole(value) for name, value in components(responses).items()}
    total = total_or_none(list(result.values()))
    result["total"] = whole(total)
    result["band"] = None if total is None else ("poor" if total > 5 else "good")
    return result
