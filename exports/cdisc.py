"""CDISC writers: ODM 1.3.2 and ODM 2.0 XML, Dataset-JSON v1.1. Pure Python (no Django).

They write the wide layout (one row per participant-visit) regrouped by the standard's hierarchy: a study event
per visit, a form (1.3.2: FormDef with one ItemGroupDef; 2.0: an ItemGroupDef of type Form) per instrument
activity instance, an item per column. Item OIDs are the column names (``I.<name>``), so a variable keeps one
name across every format. A form appears in a subject's event when at least one of its cells has a value.

ODM is written with the standard library's incremental XML writer (xml.sax.saxutils.XMLGenerator): the metadata
first, then one SubjectData per participant as the rows come, so memory stays flat in the number of participants.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any
from xml.sax.saxutils import XMLGenerator

from .dataset import DATE, INTEGER, NUMBER, Block, Column, Layout

ODM132_NS = "http://www.cdisc.org/ns/odm/v1.3"
ODM2_NS = "http://www.cdisc.org/ns/odm/v2.0"
XML_LANG = "xml:lang"
KEY_COLUMNS = ("participant", "visit", "visit_repeat")
# The study languages as XML language tags (ODM's xml:lang and Dataset-JSON labels).
XML_LANGUAGES = {"en": "en", "zh-Hans": "zh-Hans"}


@dataclass(frozen=True)
class StudyMeta:
    oid: str
    name: str
    languages: tuple[str, ...]
    visits: tuple[str, ...]  # the schedule's visit codes, in order
    created: dt.datetime


@dataclass(frozen=True)
class Note:
    """A data query on one item, written with its ItemData (1.3.2: an Annotation; 2.0: a Query)."""

    oid: str
    text: str
    state: str  # ODM 2.0's QueryStateType: Open, Answered, Closed...
    source: str  # ODM 2.0's QuerySource: System (a data-quality rule) or Data Management (a person)
    updated: dt.datetime


NoteKey = tuple[str, str, str]  # (subject, visit, variable): the first occurrence of the visit


@dataclass(frozen=True)
class Group:
    """One activity instance's columns in the wide row: ``oid`` is its form (and item group) name."""

    oid: str
    name: str
    instrument: str
    version: str
    label: dict[str, str]
    positions: tuple[int, ...]
    columns: tuple[Column, ...]


def groups_of(layout: Layout, languages: tuple[str, ...]) -> list[Group]:
    groups, position = [], len(layout.head)
    for block in layout.blocks:
        width = len(block.variables)
        name = block.activity if block.instance == 1 else f"{block.activity}_i{block.instance}"
        groups.append(
            Group(
                name,
                name,
                block.instrument.code,
                block.instrument.version,
                _block_label(block, languages),
                tuple(range(position, position + width)),
                tuple(variable.column for variable in block.variables),
            )
        )
        position += width
    for measures in layout.measures:  # an acquisition's derived measures: one more form
        width = len(measures.columns)
        name = f"acq_{measures.kind}"
        positions = tuple(range(position, position + width))
        groups.append(Group(name, name, "imaging", measures.kind, measures.label, positions, measures.columns))
        position += width
    return groups


def _block_label(block: Block, languages: tuple[str, ...]) -> dict[str, str]:
    texts = {"en": block.instrument.title.en, "zh-Hans": block.instrument.title.zh}
    return {language: texts[language] for language in languages if texts.get(language)} or {"en": block.activity}


def _head_index(layout: Layout) -> dict[str, int]:
    return {column.name: index for index, column in enumerate(layout.head)}


def text_value(value: Any) -> str:
    """A cell as ODM and Dataset-JSON text: ISO dates, integers without a decimal point."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


# --- ODM ---------------------------------------------------------------------------------------------------


def odm_type(column: Column) -> str:
    return {INTEGER: "integer", NUMBER: "float", DATE: "date"}.get(column.kind, "text")


class _Xml:
    """Elements by nesting: ``with xml.tag("A", B="c"):`` and ``xml.leaf("A", text)``."""

    def __init__(self, handle) -> None:
        self.out = XMLGenerator(handle, encoding="utf-8", short_empty_elements=True)

    def start(self, name: str, **attributes: Any) -> None:
        self.out.startElement(name, {key.replace("__", ":"): str(v) for key, v in attributes.items() if v != ""})

    def end(self, name: str) -> None:
        self.out.endElement(name)

    def leaf(self, name: str, text: str = "", **attributes: Any) -> None:
        self.start(name, **attributes)
        if text:
            self.out.characters(text)
        self.end(name)


def _translated(xml: _Xml, wrapper: str, label: dict[str, str], *, odm2: bool) -> None:
    xml.start(wrapper)
    for language, text in label.items():
        extra = {"Type": "text/plain"} if odm2 else {}
        xml.leaf("TranslatedText", text, xml__lang=XML_LANGUAGES.get(language, language), **extra)
    xml.end(wrapper)


def write_odm(
    layout: Layout,
    rows: Iterable[Sequence[Any]],
    path: Path,
    *,
    study: StudyMeta,
    version: str = "1.3.2",
    notes: dict[NoteKey, list[Note]] | None = None,
) -> int:
    """The whole export as one ODM file (``version`` "1.3.2" or "2.0"); returns the number of rows written.
    ``notes`` are the data queries to write with their items."""
    odm2 = version == "2.0"
    groups = groups_of(layout, study.languages)
    with path.open("w", encoding="utf-8") as handle:
        xml = _Xml(handle)
        xml.out.startDocument()
        xml.start(
            "ODM",
            xmlns=ODM2_NS if odm2 else ODM132_NS,
            FileType="Snapshot",
            FileOID=f"{study.oid}.export",
            CreationDateTime=study.created.isoformat(timespec="seconds"),
            ODMVersion=version,
            Granularity="AllClinicalData",
            SourceSystem="LBPB EDC",
        )
        _study(xml, groups, study, odm2=odm2)
        count = _clinical(xml, layout, groups, rows, study, notes or {}, odm2=odm2)
        xml.end("ODM")
        xml.out.endDocument()
    return count


def _study(xml: _Xml, groups: list[Group], study: StudyMeta, *, odm2: bool) -> None:
    if odm2:
        xml.start("Study", OID=study.oid, StudyName=study.name, ProtocolName=study.oid)
    else:
        xml.start("Study", OID=study.oid)
        xml.start("GlobalVariables")
        xml.leaf("StudyName", study.name)
        xml.leaf("StudyDescription", study.name)
        xml.leaf("ProtocolName", study.oid)
        xml.end("GlobalVariables")
    xml.start("MetaDataVersion", OID="MDV.1", Name=f"{study.name} export")
    _schedule(xml, study, odm2=odm2)
    for visit in study.visits:
        _event_def(xml, visit, groups, odm2=odm2)
    if not odm2:
        for group in groups:
            xml.start("FormDef", OID=f"F.{group.oid}", Name=group.name, Repeating="No")
            xml.leaf("ItemGroupRef", ItemGroupOID=f"IG.{group.oid}", Mandatory="No")
            xml.end("FormDef")
    _definitions(xml, groups, odm2=odm2)
    xml.end("MetaDataVersion")
    xml.end("Study")


def _definitions(xml: _Xml, groups: list[Group], *, odm2: bool) -> None:
    """Item groups, then items, then code lists: the order both schemas require."""
    for group in groups:
        _group_def(xml, group, odm2=odm2)
    for group in groups:
        for column in group.columns:
            _item_def(xml, group, column, odm2=odm2)
    for group in groups:
        for column in group.columns:
            if column.value_labels:
                _code_list(xml, column, odm2=odm2)


def _schedule(xml: _Xml, study: StudyMeta, *, odm2: bool) -> None:
    """The visits in schedule order: 1.3.2 lists them in Protocol; 2.0 puts them in one study event group."""
    xml.start("Protocol")
    if odm2:
        xml.leaf("StudyEventGroupRef", StudyEventGroupOID="SEG.schedule", OrderNumber=1, Mandatory="Yes")
        xml.end("Protocol")
        xml.start("StudyEventGroupDef", OID="SEG.schedule", Name="schedule")
    for order, visit in enumerate(study.visits, start=1):
        xml.leaf("StudyEventRef", StudyEventOID=f"SE.{visit}", OrderNumber=order, Mandatory="No")
    xml.end("StudyEventGroupDef" if odm2 else "Protocol")


def _event_def(xml: _Xml, visit: str, groups: list[Group], *, odm2: bool) -> None:
    # Any form may be stored at any visit (unscheduled entries included), so every event lists every form.
    xml.start("StudyEventDef", OID=f"SE.{visit}", Name=visit, Repeating="Yes", Type="Scheduled")
    for group in groups:
        if odm2:
            xml.leaf("ItemGroupRef", ItemGroupOID=f"IG.{group.oid}", Mandatory="No")
        else:
            xml.leaf("FormRef", FormOID=f"F.{group.oid}", Mandatory="No")
    xml.end("StudyEventDef")


def _group_def(xml: _Xml, group: Group, *, odm2: bool) -> None:
    extra = {"Type": "Form"} if odm2 else {}
    xml.start("ItemGroupDef", OID=f"IG.{group.oid}", Name=group.name, Repeating="No", **extra)
    _translated(
        xml,
        "Description",
        {lang: f"{text} ({group.instrument} {group.version})" for lang, text in group.label.items()},
        odm2=odm2,
    )
    for order, column in enumerate(group.columns, start=1):
        xml.leaf("ItemRef", ItemOID=f"I.{column.name}", OrderNumber=order, Mandatory="No")
    xml.end("ItemGroupDef")


def _item_def(xml: _Xml, group: Group, column: Column, *, odm2: bool) -> None:
    xml.start("ItemDef", OID=f"I.{column.name}", Name=column.name, DataType=odm_type(column))
    if column.label:
        _translated(xml, "Question", column.label, odm2=odm2)
    if column.value_labels:
        xml.leaf("CodeListRef", CodeListOID=f"CL.{column.name}")
    xml.leaf("Alias", Context="instrument", Name=f"{group.instrument} {group.version} {column.item}".strip())
    xml.end("ItemDef")


def _code_list(xml: _Xml, column: Column, *, odm2: bool) -> None:
    xml.start("CodeList", OID=f"CL.{column.name}", Name=column.name, DataType=odm_type(column))
    for code, label in column.value_labels.items():
        xml.start("CodeListItem", CodedValue=text_value(code))
        _translated(xml, "Decode", label or {"en": text_value(code)}, odm2=odm2)
        xml.end("CodeListItem")
    xml.end("CodeList")


def _clinical(
    xml: _Xml,
    layout: Layout,
    groups: list[Group],
    rows: Iterable[Sequence[Any]],
    study: StudyMeta,
    notes: dict[NoteKey, list[Note]],
    *,
    odm2: bool,
) -> int:
    head = _head_index(layout)
    person, visit, repeat = (head[name] for name in KEY_COLUMNS)
    xml.start("ClinicalData", StudyOID=study.oid, MetaDataVersionOID="MDV.1")
    count = 0
    by_visit = _notes_by_visit(notes)
    for subject, records in groupby(rows, key=lambda row: row[person]):
        xml.start("SubjectData", SubjectKey=subject)
        for row in records:
            count += 1
            found = {} if (row[repeat] or 1) != 1 else by_visit.get((subject, row[visit]), {})
            _event(xml, groups, row, visit=row[visit], repeat=row[repeat], notes=found, odm2=odm2)
        xml.end("SubjectData")
    xml.end("ClinicalData")
    return count


def _notes_by_visit(notes: dict[NoteKey, list[Note]]) -> dict[tuple[str, str], dict[str, list[Note]]]:
    """The notes by (subject, visit), then variable: looked up once per row, not searched."""
    by_visit: dict[tuple[str, str], dict[str, list[Note]]] = {}
    for (subject, visit, name), found in notes.items():
        by_visit.setdefault((subject, visit), {})[name] = found
    return by_visit


def _has_content(group: Group, row: Sequence[Any], notes: dict[str, list[Note]]) -> bool:
    pairs = zip(group.positions, group.columns, strict=True)
    return any(row[index] is not None or column.name in notes for index, column in pairs)


def _event(xml: _Xml, groups: list[Group], row: Sequence[Any], *, visit, repeat, notes, odm2: bool) -> None:
    filled = [group for group in groups if _has_content(group, row, notes)]
    if not filled or not visit:  # a visit without forms says nothing in ODM's clinical data
        return
    xml.start("StudyEventData", StudyEventOID=f"SE.{visit}", StudyEventRepeatKey=repeat or 1)
    for group in filled:
        if not odm2:
            xml.start("FormData", FormOID=f"F.{group.oid}")
        xml.start("ItemGroupData", ItemGroupOID=f"IG.{group.oid}")
        for index, column in zip(group.positions, group.columns, strict=True):
            if row[index] is not None or column.name in notes:
                _item_data(xml, column, row[index], notes.get(column.name, []), odm2=odm2)
        xml.end("ItemGroupData")
        if not odm2:
            xml.end("FormData")
    xml.end("StudyEventData")


def _item_data(xml: _Xml, column: Column, value: Any, notes: list[Note], *, odm2: bool) -> None:
    """One item's value (an empty one only when a query is about it) and its queries."""
    if odm2:  # 2.0 holds the value in a child element, then its queries
        xml.start("ItemData", ItemOID=f"I.{column.name}")
        if value is not None:
            xml.leaf("Value", text_value(value))
        for note in notes:
            stamp = note.updated.isoformat(timespec="seconds")
            xml.start("Query", OID=note.oid, Source=note.source, State=note.state, LastUpdateDatetime=stamp)
            xml.leaf("Value", note.text)
            xml.end("Query")
        xml.end("ItemData")
        return
    attributes = {"Value": text_value(value)} if value is not None else {"IsNull": "Yes"}
    xml.start("ItemData", ItemOID=f"I.{column.name}", **attributes)
    for number, note in enumerate(notes, start=1):  # 1.3.2 has no queries: an annotation per query
        xml.start("Annotation", SeqNum=number)
        xml.leaf("Comment", f"[{note.state}] {note.text}", SponsorOrSite="Sponsor")
        xml.end("Annotation")
    xml.end("ItemData")


# --- Dataset-JSON v1.1 ------------------------------------------------------------------------------------

DATASET_JSON_VERSION = "1.1.0"


def dataset_json_type(column: Column) -> str:
    return {INTEGER: "integer", NUMBER: "double", DATE: "date"}.get(column.kind, "string")


def _dataset_column(column: Column, key: int | None, language: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "itemOID": f"I.{column.name}",
        "name": column.name,
        "label": column.label.get(language) or column.label_text(),
        "dataType": dataset_json_type(column),
    }
    if column.kind == DATE:
        entry["targetDataType"] = "integer"  # SAS-style: the consumer may store the ISO date as a day number
        entry["displayFormat"] = "E8601DA."
    if key is not None:
        entry["keySequence"] = key
    return entry


def _json_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind == DATE:
        return value.isoformat()
    if column.kind == INTEGER:
        return int(value)
    if column.kind == NUMBER:
        return float(value)
    return str(value)


def write_dataset_json(
    layout: Layout, rows: Iterable[Sequence[Any]], path: Path, *, study: StudyMeta, scratch: Path
) -> int:
    """A zip of one Dataset-JSON v1.1 file per instrument activity (``<name>.json``): the keys (participant,
    visit, occurrence) then the activity's columns, one row per participant-visit that has the form. Rows go to
    one JSON-lines scratch file per activity as they come and are assembled at the end, so memory stays flat."""
    groups = groups_of(layout, study.languages)
    head = _head_index(layout)
    keys = [head[name] for name in KEY_COLUMNS]
    scratch.mkdir(parents=True, exist_ok=True)
    handles = {group.oid: (scratch / f"{group.oid}.jsonl").open("w+", encoding="utf-8") for group in groups}
    counts = dict.fromkeys(handles, 0)
    total = 0
    try:
        for row in rows:
            total += 1
            for group in _filled(groups, row):
                cells = [row[index] for index in keys] + [row[index] for index in group.positions]
                columns = [layout.head[index] for index in keys] + list(group.columns)
                handles[group.oid].write(
                    json.dumps([_json_value(c, v) for c, v in zip(columns, cells, strict=True)], ensure_ascii=False)
                    + "\n"
                )
                counts[group.oid] += 1
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for group in groups:
                handle = handles[group.oid]
                handle.seek(0)
                with archive.open(f"{group.oid}.json", "w") as member:
                    _dataset_file(member, layout, group, keys, counts[group.oid], handle, study)
    finally:
        for handle in handles.values():
            handle.close()
    return total


def _filled(groups: list[Group], row: Sequence[Any]) -> Iterator[Group]:
    return (group for group in groups if any(row[index] is not None for index in group.positions))


def _dataset_file(member, layout: Layout, group: Group, keys: list[int], count: int, lines, study: StudyMeta):
    language = study.languages[0] if study.languages else "en"
    columns = [_dataset_column(layout.head[index], order, language) for order, index in enumerate(keys, start=1)]
    columns += [_dataset_column(column, None, language) for column in group.columns]
    header = {
        "datasetJSONCreationDateTime": study.created.replace(tzinfo=None).isoformat(timespec="seconds"),
        "datasetJSONVersion": DATASET_JSON_VERSION,
        "fileOID": f"{study.oid}.{group.oid}",
        "originator": "LBPB EDC",
        "sourceSystem": {"name": "LBPB EDC", "version": "1"},
        "studyOID": study.oid,
        "metaDataVersionOID": "MDV.1",
        "itemGroupOID": f"IG.{group.oid}",
        "records": count,
        "name": group.name,
        "label": group.label.get(language) or group.name,
        "columns": columns,
    }
    opening = json.dumps(header, ensure_ascii=False)[:-1] + ', "rows": ['
    member.write(opening.encode())
    for number, line in enumerate(lines):
        member.write(((", " if number else "") + line.rstrip("\n")).encode())
    member.write(b"]}")
