"""Reads of an export: the participants in scope, the plan of columns, and the records, streamed.

The records come from three ordered queries read with server-side cursors (``iterator``) and merged by
participant, so an export costs the same handful of queries for 10 or 10,000 participants and holds one
participant's rows in memory at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Max, Q, QuerySet
from django.db.models.sql.constants import MULTI

from accounts.models import Membership
from imaging.models import DataFile, DerivedMeasure, Kind
from instruments.models import Response
from participants.models import Participant, Visit
from participants.selectors import participants_for_user, visit_status_of
from queries.models import Query
from studies.models import Site
from studies.selectors import current_protocol

from .cdisc import Note, NoteKey
from .dataset import Form, Record, measure_name, variable_name
from .models import DataExport, SavedExport

CHUNK = 2000
LANGUAGE_NAMES = {"en": "en", "zh": "zh-Hans"}  # protocol label keys -> language codes


@dataclass(frozen=True)
class Choice:
    """What an export covers: site codes, visit codes and instrument codes (empty: all)."""

    sites: tuple[str, ...] = ()
    visits: tuple[str, ...] = ()
    instruments: tuple[str, ...] = ()

    @classmethod
    def of(cls, filters: dict) -> Choice:
        return cls(*(tuple(filters.get(key) or ()) for key in ("sites", "visits", "instruments")))

    def as_filters(self) -> dict:
        return {"sites": list(self.sites), "visits": list(self.visits), "instruments": list(self.instruments)}


def saved_exports_for(user, study) -> QuerySet[SavedExport]:
    """The user's own saved choices in ``study`` (nobody sees another's)."""
    return SavedExport.objects.filter(study=study, owner=user)


def exports_for_user(user) -> QuerySet[DataExport]:
    """Exports of the user's studies whose sites the user may all see (a file holds the participants of its
    requester's sites), as for BIDS exports. Arms and identified data are role checks on top (access)."""
    if not user.is_authenticated:
        return DataExport.objects.none()
    memberships = Membership.objects.filter(user=user, is_active=True, study__is_active=True)
    whole = Q(study_id__in=memberships.filter(all_sites=True).values("study_id"))
    limited = memberships.filter(all_sites=False)
    outside = DataExport.objects.filter(sites__in=Site.objects.exclude(pk__in=limited.values("sites")))
    some = Q(study_id__in=limited.values("study_id"), all_sites=False) & ~Q(pk__in=outside.values("pk"))
    return DataExport.objects.filter(whole | some).select_related("study", "requested_by")


def study_languages(study) -> tuple[str, ...]:
    protocol = current_protocol(study)
    keys = protocol.study.languages if protocol else ("en", "zh")
    return tuple(LANGUAGE_NAMES[key] for key in keys if key in LANGUAGE_NAMES)


def visit_order(study) -> list[str]:
    """The protocol's visit codes in schedule order (without a protocol: the stored visits' codes, sorted)."""
    protocol = current_protocol(study)
    if protocol:
        return [visit.code for visit in protocol.visits]
    stored = Visit.objects.filter(participant__study=study).values_list("visit_code", flat=True).distinct()
    return sorted(stored)


def scoped_participants(study, *, user=None, choice: Choice = Choice()) -> QuerySet[Participant]:
    """The study's participants with a study ID, within ``user``'s sites (every site for the command line)."""
    people = participants_for_user(user) if user is not None else Participant.objects.all()
    people = people.filter(study=study).exclude(identifier="")
    if choice.sites:
        people = people.filter(site__code__in=choice.sites)
    return people


def _responses(people: QuerySet[Participant], choice: Choice) -> QuerySet[Response]:
    responses = Response.objects.filter(participant__in=people)
    if choice.visits:
        responses = responses.filter(visit_code__in=choice.visits)
    if choice.instruments:
        responses = responses.filter(instrument_code__in=choice.instruments)
    return responses


def _visits(people: QuerySet[Participant], choice: Choice) -> QuerySet[Visit]:
    visits = Visit.objects.filter(participant__in=people)
    return visits.filter(visit_code__in=choice.visits) if choice.visits else visits


def activity_plan(people: QuerySet[Participant], choice: Choice) -> list[tuple[str, str, str, int]]:
    """(activity, instrument, newest definition version, most instances) of the stored forms: one query."""
    rows = (
        _responses(people, choice)
        .values("activity_key", "instrument_code", "definition_version")
        .annotate(instances=Max("instance"))
        .order_by("activity_key", "instrument_code", "definition_version")
    )
    plan: dict[tuple[str, str], tuple[str, int]] = {}
    for row in rows:
        key = (row["activity_key"], row["instrument_code"])
        version, instances = plan.get(key, ("", 0))
        newest = max(version, row["definition_version"], key=_version_key) if version else row["definition_version"]
        plan[key] = (newest, max(instances, row["instances"]))
    return [(activity, code, version, instances) for (activity, code), (version, instances) in sorted(plan.items())]


def _version_key(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in version.split("."))


def _files(people: QuerySet[Participant], choice: Choice) -> QuerySet[DataFile]:
    """The linked acquisitions of ``people`` at the chosen visits; none when instruments are chosen (a choice
    of instruments is a choice of forms)."""
    if choice.instruments:
        return DataFile.objects.none()
    files = DataFile.objects.filter(participant__in=people, link_status=DataFile.LinkStatus.LINKED)
    return files.filter(visit_code__in=choice.visits) if choice.visits else files


def _measures(people: QuerySet[Participant], choice: Choice) -> QuerySet[DerivedMeasure]:
    return DerivedMeasure.objects.filter(data_file__in=_files(people, choice).values("pk"))


def _series_files(people: QuerySet[Participant], choice: Choice) -> QuerySet[DataFile]:
    return _files(people, choice).filter(kind=Kind.DICOM, series__isnull=False)


def measure_plan(people: QuerySet[Participant], choice: Choice) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(kind, measure, unit) of the stored derived measures, and the MRI series labels: two queries."""
    measures = (
        _measures(people, choice)
        .values_list("data_file__kind", "name", "unit")
        .order_by("data_file__kind", "name", "unit")
        .distinct()
    )
    seen: dict[tuple[str, str], str] = {}
    for kind, name, unit in measures:
        seen.setdefault((kind, name), unit)  # one column per measure, whatever units its rows carry
    labels = _series_files(people, choice).values_list("series__label", flat=True).order_by("series__label")
    return [(kind, name, unit) for (kind, name), unit in seen.items()], list(labels.distinct())


def record_count(people: QuerySet[Participant], choice: Choice) -> int:
    """How many participant-visit rows the wide layout will have (visits, plus forms of visits with no row)."""
    visits = _visits(people, choice)
    with_row = set(visits.values_list("participant_id", "visit_code").distinct())
    form_visits = set(_responses(people, choice).values_list("participant_id", "visit_code").distinct())
    return visits.count() + len(form_visits - with_row)


def _participant_rows(people: QuerySet[Participant]):
    return people.order_by("pk").values_list("pk", "identifier", "site__code", "arm_code").iterator(chunk_size=CHUNK)


def _visit_rows(people, choice):
    fields = ("participant_id", "visit_code", "sequence", "target_date", "window_start", "window_end")
    fields += ("completed_on", "missed", "cancelled", "window_review")  # type: ignore[assignment] (visit_status reads all)
    return (
        _visits(people, choice)
        .order_by("participant_id", "target_date", "visit_code", "sequence")
        .only(*fields)
        .iterator(chunk_size=CHUNK)
    )


def _form_rows(people, choice):
    """The forms, participant by participant, as raw rows: the answers and scores decoded here with one
    ``json.loads`` each, without Django's per-row converters (most of an export's read time at 1.3 million
    forms)."""
    rows = (
        _responses(people, choice)
        .order_by("participant_id", "visit_code", "activity_key", "instance")
        .values_list(
            "participant_id",
            "visit_code",
            "activity_key",
            "instance",
            "instrument_code",
            "definition_version",
            "values",
            "scores",
        )
    )
    compiler = rows.query.get_compiler(using=rows.db)
    loads = json.loads
    for chunk in compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=CHUNK):
        for pk, visit, activity, instance, code, version, values, scores in chunk:
            yield pk, visit, activity, instance, code, version, _json(values, loads), _json(scores, loads)


def _json(value, loads):
    """A JSON column as the database driver gave it: text (PostgreSQL through Django, SQLite) or decoded."""
    return loads(value) if isinstance(value, str) else value


def _measure_rows(people, choice):
    """The derived measures, participant by participant; within a visit and kind, file by file in order of
    recording (the export keeps the first file's)."""
    return (
        _measures(people, choice)
        .order_by(
            "data_file__participant_id",
            "data_file__visit_code",
            "data_file__kind",
            "data_file__recorded_at",
            "data_file_id",
            "name",
        )
        .values_list(
            "data_file__participant_id", "data_file__visit_code", "data_file__kind", "data_file_id", "name", "value"
        )
        .iterator(chunk_size=CHUNK)
    )


def _series_rows(people, choice):
    """(participant, visit, series label, series) of the MRI files, participant by participant."""
    return (
        _series_files(people, choice)
        .order_by("participant_id", "visit_code", "series__label", "series_id")
        .values_list("participant_id", "visit_code", "series__label", "series_id")
        .distinct()
        .iterator(chunk_size=CHUNK)
    )


def _take(iterator: Iterator, pk: int, pending: list) -> list:
    """The rows of ``iterator`` (ordered by participant id first) for participant ``pk``; ``pending`` holds the
    one row read ahead."""
    taken: list = []
    while True:
        if not pending:
            row = next(iterator, None)
            if row is None:
                return taken
            pending.append(row)
        head = pending[0]
        owner = head.participant_id if isinstance(head, Visit) else head[0]
        if owner != pk:
            return taken
        taken.append(pending.pop())


def participant_records(
    people: QuerySet[Participant], choice: Choice, *, today: date
) -> Iterator[tuple[int, list[Record]]]:
    """(participant id, its records in visit order) for every participant in scope, streamed."""
    streams = [_visit_rows(people, choice), _form_rows(people, choice)]
    streams += [_measure_rows(people, choice), _series_rows(people, choice)]
    ahead: list[list] = [[] for _ in streams]
    for pk, identifier, site, arm in _participant_rows(people):
        visits, forms, measures, series = (_take(rows, pk, row) for rows, row in zip(streams, ahead, strict=True))
        records = _records(identifier, site, arm, visits, forms, today=today)
        if measures or series:
            _add_measures(records, measures, series, identifier=identifier, site=site, arm=arm)
        yield pk, records


def _records(identifier, site, arm, visits: list[Visit], forms: list, *, today: date) -> list[Record]:
    records: dict[str, Record] = {}
    ordered: list[Record] = []
    for visit in visits:
        record = Record(
            identifier,
            site,
            arm,
            visit.visit_code,
            visit.sequence,
            visit.completed_on,
            visit.target_date,
            visit_status_of(visit, today),
        )
        records.setdefault(visit.visit_code, record)  # forms belong to a visit's first occurrence
        ordered.append(record)
    for _pk, visit_code, activity, instance, code, version, values, scores in forms:
        found = records.get(visit_code)
        if found is not None:
            record = found
        else:  # a form of a visit with no occurrence row (unscheduled): its own row, no dates
            record = records[visit_code] = Record(identifier, site, arm, visit_code, None, None, None, "")
            ordered.append(record)
        record.forms[(activity, instance)] = Form(activity, instance, code, version, values or {}, scores or {})
    return ordered


def _record_of(records: list[Record], visit_code: str, *, identifier, site, arm) -> Record:
    """The record the visit's forms are on (its first occurrence), or a new one for a visit without a row."""
    for record in records:
        if record.visit == visit_code:
            return record
    record = Record(identifier, site, arm, visit_code, None, None, None, "")
    records.append(record)
    return record


def _add_measures(records: list[Record], measures: list, series: list, *, identifier, site, arm) -> None:
    """Put each visit's derived measures (of its first file per kind) and MRI series counts on its record."""
    first: dict[tuple[str, str], int] = {}
    for _pk, visit_code, kind, file_id, name, value in measures:
        if first.setdefault((visit_code, kind), file_id) != file_id:
            continue  # a second recording of the same kind at this visit (a repeated night): not in this layout
        record = _record_of(records, visit_code, identifier=identifier, site=site, arm=arm)
        record.measures[measure_name(kind, name)] = value
    for _pk, visit_code, label, _series in series:
        record = _record_of(records, visit_code, identifier=identifier, site=site, arm=arm)
        column = measure_name("mri", label)
        record.measures[column] = record.measures.get(column, 0) + 1


def protocol_instruments(study) -> list[str]:
    """The instrument codes the study's schedule names, for the builder's choices."""
    protocol = current_protocol(study)
    if protocol is None:
        return []
    codes = {a.code for visit in protocol.visits for a in visit.activities if a.kind == "instrument"}
    return sorted(codes)


QUERY_STATES = {"open": "Open", "answered": "Answered", "closed": "Closed", "reopened": "Open"}


def query_notes(study, people: QuerySet[Participant]) -> dict[NoteKey, list[Note]]:
    """The data queries on the items of ``people`` (one query), keyed as the ODM writer reads them: study ID,
    visit code, variable name (the first instance of the form; a multiple-choice item's query is not placed)."""
    notes: dict[NoteKey, list[Note]] = {}
    rows = Query.objects.filter(study=study, participant__in=people).exclude(item_code="").order_by("pk")
    for query in rows.select_related("participant"):
        key = (query.participant.identifier, query.visit_code, variable_name(query.activity_key, query.item_code))
        source = "System" if query.origin == Query.Origin.RULE else "Data Management"  # ODM 2.0's QuerySource
        state = QUERY_STATES.get(query.status, "Open")
        notes.setdefault(key, []).append(Note(f"Q.{query.pk}", query.text, state, source, query.updated_at))
    return notes
