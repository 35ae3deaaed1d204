"""The SAE reporting clock: pure functions of the awareness time and a given "now" (no I/O, no Django models).

The seed protocol (ADMSC, ChiCTR2200058291): the investigator reports an SAE "to the head of the centre and
the ethics committee of the research unit within 12 hours of the first learning, and to the team leader within
24 hours". The deadlines are kept here per study code, not in the protocol file, until the protocol format
grows a safety section; a study without an entry uses the seed's values.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

HEAD_OF_CENTRE, ETHICS_COMMITTEE, TEAM_LEADER = "head_of_centre", "ethics_committee", "team_leader"
SEED_DEADLINES: tuple[tuple[str, dt.timedelta], ...] = (
    (HEAD_OF_CENTRE, dt.timedelta(hours=12)),
    (ETHICS_COMMITTEE, dt.timedelta(hours=12)),
    (TEAM_LEADER, dt.timedelta(hours=24)),
)
# Study code (lower case) -> deadlines. Both protocols served today follow the ADMSC rule.
STUDY_DEADLINES: dict[str, tuple[tuple[str, dt.timedelta], ...]] = {
    "admsc": SEED_DEADLINES,
    "lbpb": SEED_DEADLINES,
}
DUE_SOON = dt.timedelta(hours=2)
# The DSMB reviews all adverse events every six months.
DSMB_PERIOD_MONTHS = 6

REPORTED, OVERDUE, DUE_SOON_STATE, OPEN = "reported", "overdue", "due_soon", "open"
LATE = "reported_late"


def deadlines_for(study_code: str) -> tuple[tuple[str, dt.timedelta], ...]:
    return STUDY_DEADLINES.get((study_code or "").lower(), SEED_DEADLINES)


def due_times(aware_at: dt.datetime, study_code: str) -> dict[str, dt.datetime]:
    """Recipient -> due time (aware datetimes, in UTC) for an SAE the investigator learned of at ``aware_at``."""
    start = aware_at.astimezone(dt.UTC)
    return {recipient: start + delta for recipient, delta in deadlines_for(study_code)}


def aware_at_from(date_text: str | None, time_text: str | None, zone: ZoneInfo) -> dt.datetime | None:
    """The awareness moment from the CRF's local date and time (``YYYY-MM-DD``, ``HH:MM``), in UTC.

    Without a time the day's first minute is taken: the earliest the investigator can have known, so the
    clock never runs later than the rule allows. Without a date there is no moment (None).
    """
    if not date_text:
        return None
    day = dt.date.fromisoformat(date_text)
    hour, minute = (int(part) for part in time_text.split(":")) if time_text else (0, 0)
    local = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    return local.astimezone(dt.UTC)


def clock_state(due_at: dt.datetime, reported_at: dt.datetime | None, now: dt.datetime) -> str:
    """reported / reported_late / overdue / due_soon (within two hours) / open."""
    if reported_at is not None:
        return LATE if reported_at > due_at else REPORTED
    if now > due_at:
        return OVERDUE
    if due_at - now <= DUE_SOON:
        return DUE_SOON_STATE
    return OPEN


def period_start(day: dt.date) -> dt.date:
    """The first day of the six-month DSMB period holding ``day`` (1 January or 1 July)."""
    return dt.date(day.year, 1 if day.month <= DSMB_PERIOD_MONTHS else 7, 1)


def period_end(start: dt.date) -> dt.date:
    """The first day after the six-month period starting at ``start``."""
    month = start.month + DSMB_PERIOD_MONTHS
    return dt.date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def previous_periods(day: dt.date, count: int) -> list[dt.date]:
    """Starts of the ``count`` most recent periods, the current one first."""
    starts, start = [], period_start(day)
    for _ in range(count):
        starts.append(start)
        start = period_start(start - dt.timedelta(days=1))
    return starts
