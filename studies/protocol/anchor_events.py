"""Anchors set by an event (`set_by:`, docs/protocol-format.md "Anchors set by an event").

An anchor's date can come from what happens to the participant instead of being typed: the allocation date
(`randomisation`), the consent date (`consent`), the enrolment date (`enrolment`) or a date item of a form
(`{instrument, item}`). Read here with the file's key paths; the checks that need the whole file run after it is
read (``check_anchor_events``), and whether the item is a date item of its instrument is checked at load against
the definitions the caller passes (``check_anchor_items``), as for quality rules, so that a stored version keeps
reading after the library changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .reader import Problem, Reader, gettext_noop, join, suggestion
from .schema import Anchor, AnchorEvent, Protocol

ENROLMENT = "enrolment"
NAMED_EVENTS = ("randomisation", "consent", "enrolment")
# Events that always happen before any visit can be projected (visits are projected from enrolment on), so an
# `expected` date on their anchor would never be used.
ALWAYS_KNOWN = ("consent", "enrolment")


def read_set_by(r: Reader, data: dict, path: str) -> AnchorEvent | None:
    if "set_by" not in data:
        return None
    here = join(path, "set_by")
    value: Any = data["set_by"]
    if isinstance(value, str):
        if value in NAMED_EVENTS:
            return AnchorEvent(value)
        close = suggestion(value, NAMED_EVENTS)
        r.add(
            here,
            gettext_noop("unknown event '%(value)s'; use randomisation, consent, enrolment or {instrument, item}")
            if close is None
            else gettext_noop("unknown event '%(value)s' (did you mean '%(suggestion)s'?)"),
            value=value,
            suggestion=close,
        )
        return None
    if r.mapping(value, here, ("instrument", "item")) is None:
        return None
    instrument, item = r.string(value, "instrument", here), r.string(value, "item", here)
    return AnchorEvent("crf", instrument, item) if instrument and item else None


def check_anchor_events(r: Reader, parsed) -> None:
    """The checks that need the whole file: the design, the schedule and the other anchors."""
    seen: dict[tuple[str | None, str | None], str] = {}
    for path, anchor in parsed.anchors:
        if anchor.set_by is None:
            continue
        here = join(path, "set_by")
        _check_one(r, parsed, here, anchor)
        if anchor.expected is not None and anchor.set_by.event in ALWAYS_KNOWN:
            r.add(
                join(path, "expected"),
                gettext_noop(
                    "an anchor set by %(event)s always has its date once visits are projected; remove `expected`"
                ),
                event=anchor.set_by.event,
            )
        if anchor.set_by.event == "crf":
            key = (anchor.set_by.instrument, anchor.set_by.item)
            if key in seen:
                r.add(
                    here,
                    gettext_noop("item '%(item)s' of '%(instrument)s' already sets anchor '%(other)s'"),
                    item=anchor.set_by.item,
                    instrument=anchor.set_by.instrument,
                    other=seen[key],
                )
            seen.setdefault(key, anchor.code)


def _check_one(r: Reader, parsed, here: str, anchor: Anchor) -> None:
    event = anchor.set_by
    if anchor.code == ENROLMENT:
        r.add(here, gettext_noop("the enrolment anchor is always set by enrolment; remove `set_by`"))
    elif event.event == "randomisation" and parsed.study is not None and parsed.study.design != "randomised":
        r.add(here, gettext_noop("set by randomisation, but the study's design is not randomised"))
    elif event.event == "crf":
        _check_scheduled(r, parsed, here, anchor)


def _check_scheduled(r: Reader, parsed, here: str, anchor: Anchor) -> None:
    """The form must be on the schedule at a visit that does not itself wait for this anchor's date."""
    code = anchor.set_by.instrument
    holding = [v for _, v in parsed.visits if any(a.kind == "instrument" and a.code == code for a in v.activities)]
    if not holding:
        r.add(
            join(here, "instrument"),
            gettext_noop("instrument '%(code)s' is not scheduled at any visit of this protocol"),
            code=code,
        )
        return
    waiting = _anchors_following([a for _, a in parsed.anchors], anchor.code)
    if all(v.anchor in waiting for v in holding):
        r.add(
            join(here, "instrument"),
            gettext_noop(
                "instrument '%(code)s' is scheduled only at visits that wait for this anchor's date, "
                "so the date could never be entered"
            ),
            code=code,
        )


def _anchors_following(anchors: list[Anchor], code: str) -> set[str]:
    """The anchor and every anchor whose expected date is reckoned from it, directly or not."""
    found = {code}
    for _pass in anchors:
        found |= {a.code for a in anchors if a.expected is not None and a.expected.anchor in found}
    return found


def check_anchor_items(protocol: Protocol, date_items: Mapping[str, frozenset[str]], *, filename: str) -> list[Problem]:
    """A problem for every anchor set by a form item that is not a date item of that form.

    ``date_items``: instrument code -> its date item codes (over all its versions), built on the Django side. An
    instrument missing from it is skipped: the parser already reports instruments that are not scheduled.
    """
    problems = []
    for i, anchor in enumerate(protocol.anchors):
        event = anchor.set_by
        if event is None or event.event != "crf" or event.instrument not in date_items:
            continue
        dates = date_items[event.instrument]
        if event.item in dates:
            continue
        close = suggestion(event.item, sorted(dates))
        problems.append(
            Problem.of(
                filename,
                f"anchors[{i}].set_by.item",
                _NOT_A_DATE[bool(dates), bool(close)],
                instrument=event.instrument,
                item=event.item,
                suggestion=close,
            )
        )
    return problems


# (the form has date items, a close one) -> template: whole sentences for translators.
_NOT_A_DATE = {
    (False, False): gettext_noop("'%(item)s' is not a date item of '%(instrument)s' (it has no date items)"),
    (True, False): gettext_noop("'%(item)s' is not a date item of '%(instrument)s'"),
    (True, True): gettext_noop("'%(item)s' is not a date item of '%(instrument)s' (did you mean '%(suggestion)s'?)"),
}
