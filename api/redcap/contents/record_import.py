"""``content=record`` import: rows of flat records, each form saved through the one write path of the pages
(workflows.services.response_submit: cleaned, scored, locks and schedule respected, audited with path ``api``).

All or nothing: the rows are checked first (known fields, events and records, the caller's scope and arm), then
every form is saved in one transaction, and any refusal rolls every form back and answers a 400 listing each
problem as REDCap does (record, field, value, reason). Scores and calc fields sent in are ignored: the server
computes them. Records are not created here: a participant is enrolled on the study's pages (consent, site,
study ID), so an unknown record ID is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.http import Http404

from accounts.capabilities import Action
from audit.models import AuditEvent
from exports.selectors import scoped_participants
from instruments.models import Response
from participants.access import crf_for_user
from workflows.services import QUERY, response_submit

from ..project import EVENT_COLUMN, PSEUDO_FIELDS, RECORD_ID, REPEAT_INSTANCE, REPEAT_INSTRUMENT, Field, Form, Project
from ..wire import NO_IMPORT, RedcapError, count_response, ids_response, parse_rows, text_response
from .records import raw_text

REASON = "Imported through the REDCap-compatible API"


@dataclass
class Entry:
    """One form of one record, event and instance, as the import gives it."""

    record: str
    visit: str
    arm_num: int
    form: Form
    instance: int | str
    values: dict[str, str] = field(default_factory=dict)  # export column -> value
    complete: str | None = None


class Refused(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _columns(project: Project) -> dict[str, tuple[Form, Field | None]]:
    """export column -> (form, field); a form's ``_complete`` column has no field."""
    out: dict[str, tuple[Form, Field | None]] = {}
    for form in project.forms:
        for f in form.fields:
            for name in f.export_names:
                out[name] = (form, f)
        out[form.complete] = (form, None)
    return out


def _event(project: Project, row: dict[str, str]):
    if not project.events:
        raise RedcapError("The project has no events to import into.")
    name = row.get(EVENT_COLUMN, "").strip()
    event = project.event_by_name.get(name)
    if event is None:
        raise RedcapError(f"The value '{name}' of redcap_event_name is not a valid unique event name.")
    return event


def _instance(form: Form, row: dict[str, str]) -> int | str:
    if not form.repeating:
        return 1
    text = row.get(REPEAT_INSTANCE, "").strip() or "1"
    if text == "new":
        return "new"
    if not text.isdigit() or not 1 <= int(text) <= 2**31 - 1:
        raise RedcapError(f"The value '{text}' of redcap_repeat_instance is not a valid instance number.")
    return int(text)


def entries(project: Project, rows: list[dict[str, str]]) -> dict[tuple, Entry]:
    """The imported rows grouped into forms; unknown columns, events and forms not on an event are errors."""
    columns = _columns(project)
    if rows and RECORD_ID not in rows[0]:
        raise RedcapError(f"The record ID field ({RECORD_ID}) must be in the data being imported.")
    unknown = sorted({key for row in rows for key in row} - set(columns) - {RECORD_ID, *PSEUDO_FIELDS})
    if unknown:
        raise RedcapError(
            "The following fields were not found in the project as real data fields: " + ", ".join(unknown)
        )
    found: dict[tuple, Entry] = {}
    for row in rows:
        _row_entries(project, columns, row, found)
    return found


def _row_entries(project: Project, columns: dict, row: dict[str, str], found: dict[tuple, Entry]) -> None:
    record = row.get(RECORD_ID, "").strip()
    if not record:
        raise RedcapError("A row of the data being imported has no record ID.")
    event = _event(project, row)
    repeat_form = row.get(REPEAT_INSTRUMENT, "").strip()
    for column, value in row.items():
        if column not in columns:
            continue
        form, f = columns[column]
        if not _belongs(form, f, value, repeat_form, event):
            continue
        instance = _instance(form, row)
        key = (record, event.unique_name, form.name, instance)
        entry = found.setdefault(key, Entry(record, event.visit, event.arm_num, form, instance))
        if f is None:
            entry.complete = value.strip()
        else:
            entry.values[column] = value


def _belongs(form: Form, f: Field | None, value: str, repeat_form: str, event) -> bool:
    """Does this cell go into ``form`` on this row? Scores (the server computes them), other forms' cells of a
    repeating row and blank cells of forms not on the row are skipped; a value for a form not on the event is
    an error."""
    if (f is not None and f.is_calc) or (repeat_form and form.name != repeat_form):
        return False
    if (form.repeating and not repeat_form) or form.name not in event.forms:
        if value.strip() and form.name not in event.forms:
            raise RedcapError(f"The form {form.name} is not designated for the event {event.unique_name}.")
        return False
    return True


def _raw_answers(entry: Entry, existing: Response | None, overwrite: bool) -> dict:
    """The form's answers as the pages post them: the stored ones, with the imported ones over them (blank cells
    keep the stored value, or erase it with ``overwriteBehavior=overwrite``)."""
    stored = existing.values if existing else {}
    raw: dict = {}
    for f in entry.form.fields:
        if f.item is None or not f.item.entered:
            continue
        code = f.item.code
        if f.is_checkbox:
            chosen = {str(c) for c in (stored.get(code) or [])}
            for option, name in zip(f.item.options, f.export_names, strict=True):
                value = entry.values.get(name, "").strip()
                if value in ("1", "0") or (overwrite and name in entry.values):
                    chosen.discard(str(option.code))
                    if value == "1":
                        chosen.add(str(option.code))
                elif value:
                    raise Refused([f"{entry.record}, {name}, '{value}': a checkbox takes 0 or 1"])
            raw[code] = sorted(chosen)
            continue
        value = entry.values.get(f.name)
        if value is None or (not value.strip() and not overwrite):
            raw[code] = raw_text(stored.get(code)) if stored.get(code) is not None else ""
        else:
            raw[code] = value
    return raw


def _complete(entry: Entry, existing: Response | None) -> bool:
    if entry.complete:
        if entry.complete not in ("0", "1", "2"):
            raise Refused([f"{entry.record}, {entry.form.complete}, '{entry.complete}': use 0, 1 or 2"])
        return entry.complete == "2"
    return existing is not None and existing.status == Response.Status.COMPLETE


def _next_instance(participant, entry: Entry) -> int:
    taken = Response.objects.filter(
        participant=participant, visit_code=entry.visit, activity_key=entry.form.activity
    ).values_list("instance", flat=True)
    return max(taken, default=0) + 1


def _save(caller, participant, entry: Entry, overwrite: bool) -> None:
    try:
        crf = crf_for_user(caller.user, participant.pk, entry.visit, entry.form.activity)
    except Http404:
        raise Refused([f"{entry.record}: the form {entry.form.name} is not on this record's schedule"]) from None
    if not crf.can_write:
        raise RedcapError(NO_IMPORT, status=403)
    if crf.refusal is not None:
        raise Refused([f"{entry.record}, {entry.form.name}: {crf.refusal.reason['en']}"])
    instance = _next_instance(participant, entry) if entry.instance == "new" else int(entry.instance)
    existing = Response.objects.filter(
        participant=participant, visit_code=entry.visit, activity_key=entry.form.activity, instance=instance
    ).first()
    result = response_submit(
        participant=crf.participant,
        visit_code=crf.visit.code,
        activity_key=crf.activity.key,
        instrument_code=existing.instrument_code if existing else crf.instrument.code,
        raw=_raw_answers(entry, existing, overwrite),
        complete=_complete(entry, existing),
        user=caller.user,
        source=Response.Source.API,
        expected_lock_version=existing.lock_version if existing else None,
        reason=REASON,
        instance=instance,
        definition_version=existing.definition_version if existing else crf.instrument.version,
        path=AuditEvent.Path.API,
        warnings=QUERY,  # REDCap's import has no confirmation: a warning is saved and a query opened
    )
    if not result.ok:
        raise Refused([_problem(entry, code, message) for code, message in result.errors.items()])


def _problem(entry: Entry, code: str, message) -> str:
    names = {f.item.code: f.name for f in entry.form.fields if f.item is not None}
    text = message.get("en", "") if isinstance(message, dict) else str(message)
    name = names.get(code, entry.form.name)
    return f'{entry.record}, {name}, "{entry.values.get(name, "")}": {text}'


def _participants(caller, project: Project, records: set[str]) -> dict:
    people = {
        p.identifier: p for p in scoped_participants(caller.study, user=caller.user).filter(identifier__in=records)
    }
    missing = sorted(records - set(people))
    if missing:
        raise RedcapError(
            "The following records do not exist, and records are not created through this API (enrol participants "
            "on the study's pages): " + ", ".join(missing)
        )
    return people


def import_records(caller, params):
    if not caller.can(Action.ENTER_DATA):
        raise RedcapError(NO_IMPORT, status=403)
    project = caller.project
    rows = parse_rows(params.values.get("data", ""), params.format("xml"), params.delimiter())
    if not rows:
        raise RedcapError("The data being imported has no records.")
    found = entries(project, rows)
    people = _participants(caller, project, {row.get(RECORD_ID, "").strip() for row in rows})
    for entry in found.values():
        if project.arm_num_of(people[entry.record].arm_code) != entry.arm_num:
            raise RedcapError(f"The record {entry.record} is not in arm {entry.arm_num}.")
    overwrite = params.get("overwriteBehavior", "normal") == "overwrite"
    try:
        with transaction.atomic():
            for entry in found.values():
                _save(caller, people[entry.record], entry, overwrite)
    except Refused as refused:
        raise RedcapError(
            "There were errors in the data; nothing was imported: " + " | ".join(refused.problems)
        ) from None
    return _answer(params, list(dict.fromkeys(entry.record for entry in found.values())))


def _answer(params, ids: list[str]):
    returned = params.get("returnContent", "count")
    fmt = params.error_format()
    if returned == "nothing":
        return text_response("")
    if returned in ("ids", "auto_ids"):
        return ids_response(ids, fmt)
    return count_response(len(ids), fmt)
