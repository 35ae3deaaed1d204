"""Daily sleep diary: time in bed, total sleep time and sleep efficiency.

Definitions of the Consensus Sleep Diary (Carney CE, Buysse DJ, Ancoli-Israel S, et al.
The Consensus Sleep Diary: standardizing prospective sleep self-monitoring. Sleep.
2012;35(2):287-302), in minutes:

- time in bed (TIB) = time out of bed (Q7) - time into bed (Q1);
- total sleep time (TST) = (final awakening (Q6) - time tried to sleep (Q2))
  - sleep onset latency (Q3) - wake after sleep onset (Q5);
- sleep efficiency (SE) = TST / TIB x 100, reported to one decimal.

Clock times carry no date, so each time is placed at its first occurrence at or after
the time before it (into bed -> lights off -> final awakening -> out of bed); a night
that crosses midnight therefore needs no date. WASO is hidden on the form when the
participant reports no awakenings and then counts as 0. A night whose latency and
waking add up to more than the sleep period is inconsistent and gets no TST or SE.
"""

from __future__ import annotations

from typing import Any

from ._common import number_in, rounded
from ._registry import Responses, scorer

DAY = 24 * 60


def clock_minutes(value: Any) -> int | None:
    """'HH:MM' (24 h) as minutes after midnight, or None."""
    if not isinstance(value, str) or value.count(":") != 1:
        return None
    hours, minutes = value.split(":")
    if not (hours.isdigit() and minutes.isdigit()):
        return None
    h, m = int(hours), int(minutes)
    if h > 23 or m > 59:
        return None
    return h * 60 + m


def timeline(times: list[int | None]) -> list[int | None]:
    """Minutes since the first time, each time at or after the one before it."""
    if times[0] is None:
        return [None] * len(times)
    placed: list[int | None] = [0]
    last_clock, last_placed = times[0], 0
    for time in times[1:]:
        if time is None:
            placed.append(None)
            continue
        last_placed += (time - last_clock) % DAY
        last_clock = time
        placed.append(last_placed)
    return placed


def wake_after_onset(responses: Responses) -> float | None:
    awakenings = number_in(responses.get("sleep_diary_awakenings"), 0, 50)
    if awakenings == 0:
        return 0.0
    return number_in(responses.get("sleep_diary_waso"), 0, DAY)


@scorer("sleep_diary")
def score_sleep_diary(responses: Responses) -> dict[str, Any]:
    codes = ["bedtime", "lights_off", "final_wake", "out_of_bed"]
    into_bed, lights_off, final_wake, out_of_bed = timeline(
        [clock_minutes(responses.get(f"sleep_diary_{code}")) for code in codes]
    )
    time_in_bed = out_of_bed if into_bed is not None and out_of_bed is not None else None
    latency = number_in(responses.get("sleep_diary_latency"), 0, DAY)
    waso = wake_after_onset(responses)
    total = None
    if None not in (lights_off, final_wake, latency, waso):
        total = (final_wake - lights_off) - latency - waso  # type: ignore[operator]
        total = total if total >= 0 else None
    efficiency = None
    if total is not None and time_in_bed:
        efficiency = rounded(total / time_in_bed * 100, 1)
    return {"time_in_bed": time_in_bed, "total_sleep_time": rounded(total, 0), "sleep_efficiency": efficiency}
