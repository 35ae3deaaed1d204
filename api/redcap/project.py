"""A study as one viewer's REDCap longitudinal project: arms, events, forms and fields. Pure Python (no Django).

* Arms: for a viewer who sees arms, the protocol's arms numbered 1..n in file order, then "Not allocated" (n+1)
  for participants not yet randomised. For a viewer who may not see arms (a blinded role), or a study without
  arms, one neutral arm 1, "Arm 1", holding every visit: nothing in any content (names, labels, numbers,
  events, mappings) then depends on a participant's arm.
* Events: each visit of an arm's schedule, ``<visit code, 18 characters>_arm_<n>`` as REDCap names them.
* Forms: each instrument activity (its key is the form name), in schedule order; fields ``<form>_<item>`` (the
  export's variable names), its scores as read-only ``calc`` fields, and ``<form>_complete``.
* The record-ID field ``record_id`` (the participant's study ID) is the first field of the first form, as REDCap
  requires.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from exports.dataset import variable_name
from instruments.definitions import Instrument, Item
from studies.protocol.schema import Activity, Protocol

RECORD_ID = "record_id"
EVENT_COLUMN = "redcap_event_name"
REPEAT_INSTRUMENT, REPEAT_INSTANCE = "redcap_repeat_instrument", "redcap_repeat_instance"
DAG_COLUMN = "redcap_data_access_group"
PSEUDO_FIELDS = (EVENT_COLUMN, REPEAT_INSTRUMENT, REPEAT_INSTANCE, DAG_COLUMN, "redcap_survey_identifier")
NEUTRAL_ARM = "Arm 1"
NOT_ALLOCATED = "Not allocated"
EVENT_NAME_LIMIT = 18  # REDCap cuts the label to 18 characters before "_arm_<n>"


@dataclass(frozen=True)
class Field:
    name: str
    form: str
    item: Item | None = None  # None: the record ID or a score
    score: str = ""  # the score's name for a score field

    @property
    def is_calc(self) -> bool:
        return bool(self.score) or (self.item is not None and not self.item.entered)

    @property
    def is_checkbox(self) -> bool:
        return self.item is not None and self.item.type == "multiple_choice"

    @property
    def export_names(self) -> tuple[str, ...]:
        """The columns of a flat record export: a checkbox has one per option, ``<field>___<code>``."""
        if self.is_checkbox:
            return tuple(f"{self.name}___{option.code}" for option in self.item.options)  # type: ignore[union-attr]
        return (self.name,)


@dataclass(frozen=True)
class Form:
    name: str
    activity: str
    label: str
    instrument: Instrument
    fields: tuple[Field, ...]

    @property
    def complete(self) -> str:
        return f"{self.name}_complete"

    @property
    def repeating(self) -> bool:
        return self.instrument.repeating


@dataclass(frozen=True)
class Arm:
    num: int
    name: str
    code: str | None  # the protocol arm's code; "" for "Not allocated"; None for the neutral arm


@dataclass(frozen=True)
class Event:
    unique_name: str
    label: str
    visit: str
    arm_num: int
    event_id: int
    forms: tuple[str, ...]


@dataclass(frozen=True)
class Project:
    code: str
    title: str
    arms: tuple[Arm, ...]
    events: tuple[Event, ...]
    forms: tuple[Form, ...]
    sees_arms: bool
    record_field: Field = field(default_factory=lambda: Field(RECORD_ID, ""))

    @cached_property
    def fields(self) -> tuple[Field, ...]:
        return (self.record_field,) + tuple(f for form in self.forms for f in form.fields)

    @cached_property
    def field_by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @cached_property
    def form_by_name(self) -> dict[str, Form]:
        return {form.name: form for form in self.forms}

    @cached_property
    def event_by_name(self) -> dict[str, Event]:
        return {event.unique_name: event for event in self.events}

    @cached_property
    def has_repeating(self) -> bool:
        mapped = {name for event in self.events for name in event.forms}
        return any(form.repeating for form in self.forms if form.name in mapped)

    def arm_num_of(self, arm_code: str | None) -> int:
        """The arm a participant's rows are in, as this viewer sees it."""
        if len(self.arms) == 1 and self.arms[0].code is None:
            return 1
        for arm in self.arms:
            if arm.code and arm.code == arm_code:
                return arm.num
        return self.arms[-1].num  # "Not allocated"

    def event_of(self, visit: str, arm_num: int) -> Event | None:
        return self._events_by_visit.get((visit, arm_num))

    @cached_property
    def _events_by_visit(self) -> dict[tuple[str, int], Event]:
        return {(event.visit, event.arm_num): event for event in self.events}


def event_unique_name(visit_code: str, arm_num: int) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", visit_code.lower())[:EVENT_NAME_LIMIT].strip("_") or "event"
    return f"{base}_arm_{arm_num}"


def _arms(protocol: Protocol, sees_arms: bool) -> tuple[Arm, ...]:
    if not sees_arms or not protocol.arms:
        return (Arm(1, NEUTRAL_ARM, None),)
    arms = [Arm(n, arm.name.en or arm.code, arm.code) for n, arm in enumerate(protocol.arms, start=1)]
    return (*arms, Arm(len(arms) + 1, NOT_ALLOCATED, ""))


def _on_arm(restricted_to: tuple[str, ...], arm: Arm) -> bool:
    """Is a visit or activity restricted to ``restricted_to`` on ``arm``'s schedule? The neutral arm holds all
    (a blinded study's schedule is the same for every arm); "Not allocated" only what has no restriction."""
    if arm.code is None or not restricted_to:
        return True
    return bool(arm.code) and arm.code in restricted_to


def _form(activity: Activity, instrument: Instrument) -> Form:
    name = variable_name(activity.key)
    fields = [Field(variable_name(name, item.code), name, item=item) for item in instrument.items]
    fields += [Field(variable_name(name, spec.name), name, score=spec.name) for spec in instrument.scores]
    label = (instrument.short_title or instrument.title).en or instrument.code
    return Form(name, activity.key, label, instrument, tuple(fields))


def build_project(protocol: Protocol, instrument_of: Callable[[Activity], Instrument], *, sees_arms: bool) -> Project:
    """``protocol`` as a REDCap project for a viewer who sees arms (``sees_arms``) or not."""
    forms: dict[str, Form] = {}
    for visit in protocol.visits:
        for activity in visit.activities:
            if activity.kind == "instrument" and variable_name(activity.key) not in forms:
                form = _form(activity, instrument_of(activity))
                forms[form.name] = form
    arms = _arms(protocol, sees_arms)
    events = []
    for arm in arms:
        for index, visit in enumerate(protocol.visits, start=1):
            if not _on_arm(visit.arms, arm):
                continue
            names = [variable_name(a.key) for a in visit.activities if a.kind == "instrument" and _on_arm(a.arms, arm)]
            events.append(
                Event(
                    event_unique_name(visit.code, arm.num),
                    visit.label.en or visit.code,
                    visit.code,
                    arm.num,
                    arm.num * 1000 + index,
                    tuple(dict.fromkeys(names)),
                )
            )
    first_form = next(iter(forms), "")
    return Project(
        code=protocol.study.code,
        title=protocol.study.title.en or protocol.study.code,
        arms=arms,
        events=tuple(events),
        forms=tuple(forms.values()),
        sees_arms=sees_arms and bool(protocol.arms),
        record_field=Field(RECORD_ID, first_form),
    )
