"""``content=record`` export: flat rows, one per record, event and repeat instance with data, streamed.

The participants are those the caller's pages show (exports.selectors.scoped_participants: the caller's sites),
read with the export's streamed queries (a handful of queries whatever the number of participants, one
participant in memory at a time). Rows are in the caller's events: a blinded caller's rows all sit in the
neutral arm 1. Values are REDCap's raw strings (codes, ``0``/``1``, ISO dates) or, with ``rawOrLabel=label``,
the labels; each form's status is ``<form>_complete`` (0 incomplete, 2 complete).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cached_property

from django.utils import timezone

from exports.dataset import Record
from exports.selectors import CHUNK, Choice, participant_records, scoped_participants
from instruments.definitions.branching import evaluate
from instruments.definitions.model import Condition
from instruments.definitions.redcap_logic import LogicError, parse_logic
from instruments.models import Response

from ..project import DAG_COLUMN, EVENT_COLUMN, RECORD_ID, REPEAT_INSTANCE, REPEAT_INSTRUMENT, Field, Form, Project
from ..wire import RedcapError, table_response
from .dictionary import check_names

COMPLETE, INCOMPLETE = "2", "0"
STATUS_LABELS = {"0": "Incomplete", "1": "Unverified", "2": "Complete"}
UNSUPPORTED = {
    "dateRangeBegin": "dateRangeBegin is not supported by this server.",
    "dateRangeEnd": "dateRangeEnd is not supported by this server.",
}


@dataclass(frozen=True)
class Selection:
    """What a record export holds: the forms and fields asked for (all when neither is given), and options."""

    project: Project
    fields: frozenset[str]
    forms: tuple[Form, ...]
    with_record_id: bool
    labels: bool
    checkbox_labels: bool
    event_labels: bool
    dags: bool
    blank_gray: bool
    condition: Condition | None = None  # filterLogic, evaluated per record and event

    def wants(self, field: Field, form: Form) -> bool:
        return (
            form.name in self.fields or field.name in self.fields or any(n in self.fields for n in field.export_names)
        )

    @cached_property
    def form_fields(self) -> dict[str, tuple[Field, ...]]:
        """Form name -> its fields in the export (computed once: a wide study has thousands of columns)."""
        return {form.name: tuple(f for f in form.fields if self.wants(f, form)) for form in self.forms}

    @cached_property
    def blank_cells(self) -> dict[tuple[str, bool], dict[str, str]]:
        """(form name, on the row's event) -> the form's cells when the row has no such form stored."""
        out = {}
        for form in self.forms:
            cells = {name: "" for f in self.form_fields[form.name] for name in f.export_names}
            out[(form.name, False)] = cells | {form.complete: ""}
            out[(form.name, True)] = cells | {form.complete: "" if self.blank_gray else INCOMPLETE}
        return out

    def columns(self) -> list[str]:
        project = self.project
        columns = [RECORD_ID] if self.with_record_id else []
        if project.events:
            columns.append(EVENT_COLUMN)
        if project.has_repeating:
            columns += [REPEAT_INSTRUMENT, REPEAT_INSTANCE]
        if self.dags:
            columns.append(DAG_COLUMN)
        for form in self.forms:
            columns += [name for field in form.fields if self.wants(field, form) for name in field.export_names]
            if form.name in self.fields or form.complete in self.fields:
                columns.append(form.complete)
        return columns


def selection(project: Project, params) -> Selection:
    for name, message in UNSUPPORTED.items():
        if params.get(name):
            raise RedcapError(message)
    if params.get("type", "flat") != "flat":
        raise RedcapError("Only type=flat record exports are supported by this server.")
    fields, forms = params.array("fields"), params.array("forms")
    check_names(project, fields, forms)
    everything = not fields and not forms
    chosen = {f for f in fields}
    for form in project.forms:
        if everything or form.name in forms:
            chosen.add(form.name)
    with_forms = tuple(
        form
        for form in project.forms
        if form.name in chosen
        or form.complete in chosen
        or any(f.name in chosen for f in form.fields)
        or any(n in chosen for f in form.fields for n in f.export_names)
    )
    labels = params.get("rawOrLabel", "raw") == "label"
    return Selection(
        project=project,
        fields=frozenset(chosen),
        forms=with_forms,
        with_record_id=everything or RECORD_ID in chosen or project.record_field.form in chosen,
        labels=labels,
        checkbox_labels=params.flag("exportCheckboxLabel"),
        event_labels=labels and params.get("eventName", "label") != "unique",
        dags=params.flag("exportDataAccessGroups"),
        blank_gray=params.flag("exportBlankForGrayFormStatus"),
        condition=filter_logic(project, params.get("filterLogic")),
    )


def filter_logic(project: Project, text: str) -> Condition | None:
    """``filterLogic`` read with the REDCap logic reader of the instrument library (``[field] = 'x'``, ``<>``,
    ``>``..., checkbox ``[field(code)]``, ``and``/``or``, parentheses) over the project's field names."""
    if not text:
        return None
    items = {f.name: replace(f.item, code=f.name) for f in project.fields if f.item is not None}
    try:
        return parse_logic(text, items)
    except LogicError as error:
        raise RedcapError(f"The filterLogic cannot be read: {error}") from None


def _passes(sel: Selection, event, forms: dict) -> bool:
    """Does the record's event meet filterLogic (its forms' values by field name)?"""
    if sel.condition is None:
        return True
    values = {}
    for name in event.forms:
        form = sel.project.form_by_name[name]
        stored = forms.get((form.activity, 1))
        for f in form.fields:
            if stored is not None and f.item is not None:
                values[f.name] = (stored[0] if f.item.entered else stored[1]).get(f.item.code)
    return evaluate(sel.condition, values)


def raw_text(value) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _label_of(field: Field, value) -> str:
    item = field.item
    text = raw_text(value)
    if item is None or not text:
        return text
    if item.type == "yes_no":
        return {"1": "Yes", "0": "No"}.get(text, text)
    for option in item.options:
        if str(option.code) == text:
            return option.label.en
    return text


def field_cells(field: Field, response, sel: Selection) -> dict[str, str]:
    """The export columns of one field for one stored form (``response``: (values, scores), None if absent)."""
    if response is None:
        return dict.fromkeys(field.export_names, "")
    values, scores = response[0], response[1]
    if field.is_checkbox:
        chosen = {str(code) for code in (values.get(field.item.code) or [])}  # type: ignore[union-attr]
        cells = {}
        for option, name in zip(field.item.options, field.export_names, strict=True):  # type: ignore[union-attr]
            on = str(option.code) in chosen
            if not sel.labels:
                cells[name] = "1" if on else "0"
            elif sel.checkbox_labels:
                cells[name] = option.label.en if on else ""
            else:
                cells[name] = "Checked" if on else "Unchecked"
        return cells
    key = field.score or field.item.code  # type: ignore[union-attr]
    value = scores.get(key) if field.is_calc else values.get(key)
    return {field.name: _label_of(field, value) if sel.labels else raw_text(value)}


def _status(response, mapped: bool, sel: Selection) -> str:
    if response is None:
        return INCOMPLETE if mapped and not sel.blank_gray else ""
    code = COMPLETE if response[2] == "complete" else INCOMPLETE
    return STATUS_LABELS[code] if sel.labels else code


def _form_cells(form: Form, response, mapped: bool, sel: Selection) -> dict[str, str]:
    if response is None:
        return sel.blank_cells[(form.name, mapped)]
    cells: dict[str, str] = {}
    for field in sel.form_fields[form.name]:
        cells.update(field_cells(field, response, sel))
    cells[form.complete] = _status(response, mapped, sel)
    return cells


@dataclass(frozen=True)
class Person:
    identifier: str
    site: str
    arm: str | None


def _by_visit(records: list[Record], complete: set[tuple]) -> dict[str, dict[tuple[str, int], tuple]]:
    """visit code -> (activity, instance) -> (values, scores, status), over a visit's occurrences."""
    out: dict[str, dict[tuple[str, int], tuple]] = {}
    for record in records:
        forms = out.setdefault(record.visit, {})
        for key, form in record.forms.items():
            done = (record.visit, *key) in complete
            forms[key] = (form.values, form.scores, "complete" if done else "")
    return out


def person_rows(
    person: Person, records: list[Record], complete: set[tuple], sel: Selection, events: set[str] | None
) -> Iterator[dict]:
    project = sel.project
    stored = _by_visit(records, complete)
    arm_num = project.arm_num_of(person.arm)
    for event in (e for e in project.events if e.arm_num == arm_num):
        if events is not None and event.unique_name not in events:
            continue
        forms = stored.get(event.visit, {})
        if _passes(sel, event, forms):
            yield from _event_rows(person, event, forms, sel)


def _head(person: Person, event, sel: Selection, instrument: str = "", instance: int | str = "") -> dict:
    project = sel.project
    head: dict = {RECORD_ID: person.identifier} if sel.with_record_id else {}
    if project.events:
        head[EVENT_COLUMN] = event.label if sel.event_labels else event.unique_name
    if project.has_repeating:
        head[REPEAT_INSTRUMENT], head[REPEAT_INSTANCE] = instrument, instance
    if sel.dags:
        head[DAG_COLUMN] = person.site.lower()
    return head


def _event_rows(person: Person, event, forms: dict, sel: Selection) -> Iterator[dict]:
    """The event's row when any of its forms that do not repeat holds data (a record-ID-only export lists every
    record and event), unless only repeating forms were asked for; then one row per instance of those."""
    chosen = [form for form in sel.forms if form.name in event.forms]
    plain = [form for form in chosen if not form.repeating]
    stored = sel.project.form_by_name
    has_data = any(not stored[name].repeating and (stored[name].activity, 1) in forms for name in event.forms)
    if has_data and (plain or not sel.forms):  # only repeating forms asked for: their rows only
        row = _head(person, event, sel)
        for form in sel.forms:
            mapped = form in plain
            row.update(_form_cells(form, forms.get((form.activity, 1)) if mapped else None, mapped, sel))
        yield row
    for form in (form for form in chosen if form.repeating):
        instances = sorted(instance for activity, instance in forms if activity == form.activity)
        for instance in instances:
            row = _head(person, event, sel, form.name, instance)
            for other in sel.forms:
                response = forms.get((form.activity, instance)) if other is form else None
                row.update(_form_cells(other, response, other is form, sel))
            yield row


def export_rows(caller, sel: Selection, records: list[str], events: set[str] | None) -> Iterator[dict]:
    people = scoped_participants(caller.study, user=caller.user)
    if records:
        people = people.filter(identifier__in=records)
    today = timezone.localdate()
    statuses = CompletedForms(people)
    for pk, person_records in participant_records(people, Choice(), today=today):
        complete = statuses.of(pk)
        if not person_records:
            continue
        first = person_records[0]
        person = Person(first.participant, first.site, first.arm)
        yield from person_rows(person, person_records, complete, sel, events)


class CompletedForms:
    """The complete forms of ``people``, streamed in participant order beside participant_records (one query)."""

    def __init__(self, people):
        rows = (
            Response.objects.filter(participant__in=people, status=Response.Status.COMPLETE)
            .order_by("participant_id")
            .values_list("participant_id", "visit_code", "activity_key", "instance")
            .iterator(chunk_size=CHUNK)
        )
        self._rows = rows
        self._ahead = None

    def of(self, pk: int) -> set[tuple]:
        """The (visit, activity, instance) of participant ``pk``'s complete forms (participants asked in order)."""
        found: set[tuple] = set()
        while True:
            if self._ahead is None:
                self._ahead = next(self._rows, None)
                if self._ahead is None:
                    return found
            owner, *key = self._ahead
            if owner > pk:
                return found
            if owner == pk:
                found.add(tuple(key))
            self._ahead = None


def export(caller, params):
    project = caller.project
    sel = selection(project, params)
    events = set(params.array("events")) or None
    unknown = sorted((events or set()) - set(project.event_by_name))
    if unknown:
        raise RedcapError(f"The following values in the parameter \"events\" are not valid: '{', '.join(unknown)}'")
    rows = export_rows(caller, sel, params.array("records"), events)
    fmt = params.format()
    labels = header_labels(project) if params.get("rawOrLabelHeaders") == "label" else None
    return table_response(rows, fmt, columns=sel.columns(), delimiter=params.delimiter(), stream=True, labels=labels)


PSEUDO_LABELS = {
    RECORD_ID: "Study ID",
    EVENT_COLUMN: "Event Name",
    REPEAT_INSTRUMENT: "Repeat Instrument",
    REPEAT_INSTANCE: "Repeat Instance",
    DAG_COLUMN: "Data Access Group",
}


def header_labels(project: Project) -> dict[str, str]:
    """Column -> its label, as REDCap writes a CSV header with ``rawOrLabelHeaders=label``: the field label, a
    checkbox option as "<label> (choice=<option>)", "Complete?" for a form's status."""
    labels = dict(PSEUDO_LABELS)
    for form in project.forms:
        for f in form.fields:
            text = (
                f.item.label.en
                if f.item is not None
                else next((s.label.en for s in form.instrument.scores if s.name == f.score), f.name)
            )
            if f.is_checkbox:
                for option, name in zip(f.item.options, f.export_names, strict=True):  # type: ignore[union-attr]
                    labels[name] = f"{text} (choice={option.label.en})"
            else:
                labels[f.name] = text
        labels[form.complete] = "Complete?"
    return labels
