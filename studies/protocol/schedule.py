"""Projection of a protocol's visits onto one participant's anchor dates, and the status of a visit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .checks import occurrence_offsets
from .schema import Activity, Protocol, Text, Visit

UPCOMING, OPEN, OVERDUE, COMPLETED, MISSED, OUT_OF_WINDOW = (
    "upcoming",
    "open",
    "overdue",
    "completed",
    "missed",
    "out_of_window",
)


@dataclass(frozen=True)
class ProjectedVisit:
    code: str
    label: Text
    anchor: str
    occurrence: int  # 1 for a single visit; 1..count for a repeating one
    target: date
    window_start: date
    window_end: date
    estimated: bool  # True while the anchor's date is only expected (e.g. transplantation = liposuction + 21)
    activities: tuple[Activity, ...]


def resolve_anchors(protocol: Protocol, anchors: dict[str, date | None]) -> dict[str, tuple[date, bool]]:
    """Anchor code -> (date, estimated). Entered dates win; expected anchors follow their reference anchor."""
    declared = {a.code: a for a in protocol.anchors}
    unknown = set(anchors) - set(declared)
    if unknown:
        raise ValueError(f"anchors not declared by {protocol.study.code}: {', '.join(sorted(unknown))}")
    resolved = {code: (day, False) for code, day in anchors.items() if day is not None}
    for _ in declared:  # enough passes for the longest chain of expected dates
        for code, anchor in declared.items():
            ref = anchor.expected
            if code not in resolved and ref is not None and ref.anchor in resolved:
                base, _estimated = resolved[ref.anchor]
                resolved[code] = (base + timedelta(days=ref.offset_days), True)
    return resolved


def project_visits(protocol: Protocol, arm_code: str | None, anchors: dict[str, date | None]) -> list[ProjectedVisit]:
    """Every visit the participant is due, with target date and window, ordered by target date.

    `arm_code` None (not yet allocated or assigned) projects only the visits and activities of every arm.
    In a union schedule (a blinded study with ``blinded_schedule: union``) the arm changes nothing: every
    participant is projected every visit and activity. A visit on an anchor with no date, entered or
    expected, is not projected yet.
    """
    if arm_code is not None and arm_code not in protocol.arm_codes:
        raise ValueError(f"{protocol.study.code} has no arm '{arm_code}'")
    resolved = resolve_anchors(protocol, anchors)
    out = []
    for order, visit in enumerate(protocol.visits):
        if visit.unscheduled or visit.anchor not in resolved or not _for_arm(protocol, visit.arms, arm_code):
            continue  # an unscheduled visit is done when needed: it is never projected
        base, estimated = resolved[visit.anchor]
        activities = activities_for(protocol, visit, arm_code)
        for n, offset in enumerate(occurrence_offsets(visit), start=1):
            out.append((order, _project(visit, n, base + timedelta(days=offset), estimated, activities)))
    out.sort(key=lambda pair: (pair[1].target, pair[0], pair[1].occurrence))
    return [projected for _, projected in out]


def activities_for(protocol: Protocol, visit: Visit, arm_code: str | None) -> tuple[Activity, ...]:
    """The activities of ``visit`` a participant of ``arm_code`` is scheduled (all of them in a union schedule)."""
    return tuple(a for a in visit.activities if _for_arm(protocol, a.arms, arm_code))


def _for_arm(protocol: Protocol, arms: tuple[str, ...], arm_code: str | None) -> bool:
    return protocol.union_schedule or not arms or arm_code in arms


def _project(visit: Visit, n: int, target: date, estimated: bool, activities) -> ProjectedVisit:
    return ProjectedVisit(
        code=visit.code,
        label=visit.label,
        anchor=visit.anchor,
        occurrence=n,
        target=target,
        window_start=target - timedelta(days=visit.window_before),
        window_end=target + timedelta(days=visit.window_after),
        estimated=estimated,
        activities=activities,
    )


def visit_status(projected: ProjectedVisit, *, today: date, completed_on: date | None, missed: bool) -> str:
    """Where a projected visit stands on `today`. Windows include both ends.

    - completed: done (`completed_on` set) on a day inside [window_start, window_end].
    - out_of_window: done, but on a day before window_start or after window_end.
    - missed: not done and recorded as missed by site staff (a decision, never inferred from the date).
    - upcoming: not done, not missed, and today is before window_start.
    - open: not done, not missed, and window_start <= today <= window_end.
    - overdue: not done, not missed, and today is after window_end (staff should do it or record it missed).

    A completion date wins over a missed mark, since the data exist.
    """
    if completed_on is not None:
        inside = projected.window_start <= completed_on <= projected.window_end
        return COMPLETED if inside else OUT_OF_WINDOW
    if missed:
        return MISSED
    if today < projected.window_start:
        return UPCOMING
    if today <= projected.window_end:
        return OPEN
    return OVERDUE
