"""When a survey opens and closes, and which day a diary entry belongs to: pure date arithmetic (no Django).

A survey opens on the first day of its visit's window and closes at the end of its last day plus the
protocol's ``survey_grace_days`` (studies.protocol.schema.Visit). A repeating diary is filled once for each day
of the window (instance 1 is the first day); the day an entry belongs to is fixed by its instance, and an entry
made after the morning that follows its day is marked late, never moved to another day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

NOT_YET, OPEN, CLOSED = "not_yet", "open", "closed"
# A diary entry is about the night that began on its day, filled the next morning: on time until that next day
# ends.
ON_TIME_DAYS = 1


@dataclass(frozen=True)
class Window:
    opens: date
    closes: date  # the last day on which the survey still opens (the window's end plus the grace days)

    def state(self, today: date) -> str:
        if today < self.opens:
            return NOT_YET
        return OPEN if today <= self.closes else CLOSED


def survey_window(window_start: date, window_end: date, grace_days: int = 0) -> Window:
    return Window(window_start, window_end + timedelta(days=max(grace_days, 0)))


def diary_days(window_start: date, window_end: date) -> list[date]:
    """The days a diary is kept at a visit: every day of the visit's window."""
    count = (window_end - window_start).days + 1
    return [window_start + timedelta(days=n) for n in range(max(count, 0))]


def diary_day(window_start: date, instance: int) -> date:
    return window_start + timedelta(days=instance - 1)


def diary_instance(window_start: date, day: date) -> int:
    return (day - window_start).days + 1


def diary_day_open(day: date, window: Window, today: date) -> bool:
    """A day can be entered from that day on (its evening) until the survey closes."""
    return day <= today and window.state(today) == OPEN


def is_late(day: date, entered_on: date) -> bool:
    return entered_on > day + timedelta(days=ON_TIME_DAYS)
