"""ODM 1.3.2, ODM 2.0, Dataset-JSON v1.1, SAS transport and the HTML codebook, read back by independent readers.

ODM files are validated with lxml against the official CDISC XSD schemas shipped in the odmlib wheel (never
downloaded at test time); Dataset-JSON against a JSON Schema written from the v1.1 specification
(tests/exports/dataset-json-1.1.schema.json: no package ships the official one). Values are compared with the
database as stored (tests/exports/helpers.source_cells), so every value, type and label is checked, not a sample.
"""

import datetime as dt
import io
import json
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import odmlib
import pandas as pd
import pyreadstat
import pytest
from django.core.management import call_command
from lxml import etree

from exports.dataset import variable_name
from tests.exports.helpers import source_cells
from tests.exports.test_formats import a_choice_item, export

pytestmark = pytest.mark.django_db
SCHEMAS = Path(odmlib.__file__).parent / "schemas" / "odm"
XSD = {"odm132": SCHEMAS / "1.3.2" / "ODM1-3-2.xsd", "odm2": SCHEMAS / "2.0" / "ODM.xsd"}
NS = {"odm132": "http://www.cdisc.org/ns/odm/v1.3", "odm2": "http://www.cdisc.org/ns/odm/v2.0"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _odm_cells(root, ns: str) -> dict:
    """(subject, visit, item) -> the ItemData value as text, read with lxml only."""
    cells = {}
    for subject in root.iter(f"{{{ns}}}SubjectData"):
        for event in subject.iter(f"{{{ns}}}StudyEventData"):
            if event.get("StudyEventRepeatKey") != "1":
                continue
            for item in event.iter(f"{{{ns}}}ItemData"):
                value = item.get("Value") if ns == NS["odm132"] else item.findtext(f"{{{ns}}}Value")
                if value is None:  # an empty item written only for the query about it
                    continue
                cells[(subject.get("SubjectKey"), event.get("StudyEventOID")[3:], item.get("ItemOID")[2:])] = value
    return cells


def _as_odm_text(value) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _first_occurrence_cells(study) -> dict:
    return {key: _as_odm_text(value) for key, value in source_cells(study).items()}


@pytest.mark.parametrize("fmt", ["odm132", "odm2"])
def test_odm_is_valid_against_the_official_schema_and_holds_every_value(lbpb, tmp_path, fmt):
    document = etree.parse(str(export(lbpb, fmt, tmp_path)))
    schema = etree.XMLSchema(etree.parse(str(XSD[fmt])))
    assert schema.validate(document), schema.error_log.filter_from_errors()
    assert _odm_cells(document.getroot(), NS[fmt]) == _first_occurrence_cells(lbpb)


@pytest.mark.parametrize("fmt", ["odm132", "odm2"])
def test_odm_metadata_has_types_bilingual_questions_and_code_lists_with_decodes(lbpb, tmp_path, fmt):
    root = etree.parse(str(export(lbpb, fmt, tmp_path))).getroot()
    ns = {"o": NS[fmt], "xml": "http://www.w3.org/XML/1998/namespace"}
    name, item_label_zh, options = a_choice_item(lbpb)
    item = root.find(f".//o:ItemDef[@OID='I.{name}']", ns)
    assert item.get("DataType") == "integer"
    assert {t.get(XML_LANG): t.text for t in item.findall("o:Question/o:TranslatedText", ns)}[
        "zh-Hans"
    ] == item_label_zh
    code_list = root.find(f".//o:CodeList[@OID='{item.find('o:CodeListRef', ns).get('CodeListOID')}']", ns)
    decodes = {
        int(entry.get("CodedValue")): entry.find("o:Decode/o:TranslatedText[@xml:lang='zh-Hans']", ns).text
        for entry in code_list.findall("o:CodeListItem", ns)
    }
    assert decodes == options
    events = {event.get("OID") for event in root.findall(".//o:StudyEventDef", ns)}
    assert len(events) >= 2 and all(oid.startswith("SE.") for oid in events)
    dates = [d for d in root.findall(".//o:ItemDef", ns) if d.get("DataType") == "date"]
    assert dates  # the generated study has date items, typed as dates


def test_dataset_json_is_one_valid_dataset_per_instrument_with_every_value(lbpb, tmp_path):
    schema = json.loads((Path(__file__).parent / "dataset-json-1.1.schema.json").read_text())
    found = {}
    with zipfile.ZipFile(export(lbpb, "datasetjson", tmp_path)) as archive:
        names = archive.namelist()
        for member in names:
            dataset = json.loads(archive.read(member))
            jsonschema.validate(dataset, schema)
            columns = [column["name"] for column in dataset["columns"]]
            assert columns[:3] == ["participant", "visit", "visit_repeat"]
            assert [c.get("keySequence") for c in dataset["columns"][:3]] == [1, 2, 3]
            assert dataset["records"] == len(dataset["rows"])
            for row in dataset["rows"]:
                if row[2] != 1:
                    continue
                for column, value in zip(dataset["columns"][3:], row[3:], strict=True):
                    if value is not None:
                        found[(row[0], row[1], column["name"])] = (value, column["dataType"])
    assert len(names) >= 2
    expected = source_cells(lbpb)
    assert {key: value for key, (value, _type) in found.items()} == {
        key: value.isoformat() if isinstance(value, dt.date) else value for key, value in expected.items()
    }
    for key, (value, data_type) in found.items():
        if isinstance(expected[key], dt.date):  # ISO text typed as a date
            assert data_type == "date"
        else:
            assert data_type == {int: "integer", float: "double", str: "string"}[type(value)]


def _xpt(lbpb, tmp_path):
    with zipfile.ZipFile(export(lbpb, "xpt", tmp_path)) as archive:
        assert sorted(archive.namelist()) == ["data.xpt", "formats.sas"]
        archive.extract("data.xpt", tmp_path)
        program = archive.read("formats.sas").decode("utf-8")
    return tmp_path / "data.xpt", program


def _pandas_reads_the_same(path, frame):
    """pandas' own xport reader (no formats applied: dates are SAS day numbers) agrees with pyreadstat."""
    other = pd.read_sas(str(path), format="xport", encoding="ascii")
    assert list(other.columns) == list(frame.columns) and len(other) == len(frame)
    epoch = dt.date(1960, 1, 1)
    for name in frame.columns:
        for ours, theirs in zip(frame[name], other[name], strict=True):
            if isinstance(ours, dt.date):
                assert epoch + dt.timedelta(days=int(theirs)) == ours
            elif isinstance(ours, float):
                # pandas reads an IBM zero as 5.4e-79: equal within any practical tolerance
                assert (pd.isna(ours) and pd.isna(theirs)) or theirs == pytest.approx(ours, abs=1e-12)
            else:
                assert ours == theirs


def test_sas_transport_v5_read_back_by_pyreadstat_and_pandas_with_a_formats_program(lbpb, tmp_path):
    path, program = _xpt(lbpb, tmp_path)
    frame, meta = pyreadstat.read_xport(str(path))
    assert all(len(name) <= 8 for name in frame.columns)
    _pandas_reads_the_same(path, frame)
    # formats.sas renames the short names back: apply its renames and compare every value with the source
    renames = dict(
        pair.split("=")
        for line in program.splitlines()
        if line.strip().startswith("rename ")
        for pair in line.strip()[len("rename ") : -1].split()
    )
    frame = frame.rename(columns={short: renames.get(short, short.lower()) for short in frame.columns})
    cells = {}
    for row in frame.to_dict("records"):
        for name, value in row.items():
            if (
                name
                in {
                    "participant",
                    "site",
                    "arm",
                    "visit",
                    "visit_repeat",
                    "visit_date",
                    "visit_target_date",
                    "visit_window",
                }
                or value is None
                or value == ""
                or pd.isna(value)
            ):
                continue
            if row["visit_repeat"] == 1:
                cells[(row["participant"], row["visit"], name)] = value
    expected = source_cells(lbpb)
    assert set(cells) == set(expected)
    for key, value in expected.items():
        got = cells[key]
        if isinstance(value, dt.date):
            assert pd.Timestamp(got).date() == value
        elif isinstance(value, (int, float)):
            assert float(got) == pytest.approx(float(value))
        else:
            assert got == value
    name, item_label_zh, options = a_choice_item(lbpb)
    assert f"label {name} = '" in program and item_label_zh in program
    value_line = next(
        line
        for line in program.splitlines()
        if line.startswith("  value ") and item_label_zh not in line and all(text in line for text in options.values())
    )
    assert all(f"{code} = '" in value_line for code in options)


class _Table(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def test_the_html_codebook_lists_every_variable_with_its_labels_type_values_and_source(lbpb, tmp_path):
    parser = _Table()
    parser.feed(export(lbpb, "codebook", tmp_path).read_text(encoding="utf-8"))
    header, *rows = parser.rows
    assert header == ["variable", "label_en", "label_zh-Hans", "type", "values", "source"]
    by_name = {row[0]: row for row in rows}
    assert {name for _p, _v, name in source_cells(lbpb)} <= set(by_name)
    name, item_label_zh, options = a_choice_item(lbpb)
    row = by_name[name]
    assert row[2] == item_label_zh and row[3] == "integer"
    assert all(text in row[4] for text in options.values())
    assert row[5].split(" ")[0] and row[5].count(" ") == 1  # "<instrument> <version>"


def test_no_variable_name_of_the_codebook_is_lost_in_odm(lbpb, tmp_path):
    parser = _Table()
    parser.feed(export(lbpb, "codebook", tmp_path).read_text(encoding="utf-8"))
    names = {row[0] for row in parser.rows[1:]}
    root = etree.parse(str(export(lbpb, "odm132", tmp_path))).getroot()
    items = {d.get("Name") for d in root.iter("{http://www.cdisc.org/ns/odm/v1.3}ItemDef")}
    visit_fields = {
        "participant",
        "site",
        "arm",
        "visit",
        "visit_repeat",
        "visit_date",
        "visit_target_date",
        "visit_window",
    }
    assert names - visit_fields == items
    assert variable_name("x") == "x"


def _queried_items(study):
    """(study ID, visit, variable) -> query texts of the generated study's item queries that ODM can place."""
    from queries.models import Query

    found = {}
    for query in Query.objects.filter(study=study).exclude(item_code="").select_related("participant"):
        key = (query.participant.identifier, query.visit_code, variable_name(query.activity_key, query.item_code))
        found.setdefault(key, []).append(query.text)
    return found


@pytest.mark.parametrize("fmt", ["odm132", "odm2"])
def test_identified_odm_carries_the_data_queries_with_their_items_and_stays_valid(lbpb, tmp_path, fmt):
    queried = _queried_items(lbpb)
    assert queried  # the generator raises queries on items
    document = etree.parse(str(export(lbpb, fmt, tmp_path)))
    schema = etree.XMLSchema(etree.parse(str(XSD[fmt])))
    assert schema.validate(document), schema.error_log.filter_from_errors()
    ns = NS[fmt]
    items = {item.get("OID")[2:] for item in document.iter(f"{{{ns}}}ItemDef")}
    written = {}
    for subject in document.iter(f"{{{ns}}}SubjectData"):
        for event in subject.iter(f"{{{ns}}}StudyEventData"):
            for item in event.iter(f"{{{ns}}}ItemData"):
                path = f"{{{ns}}}Query/{{{ns}}}Value" if fmt == "odm2" else f"{{{ns}}}Annotation/{{{ns}}}Comment"
                texts = [node.text.split("] ", 1)[-1] for node in item.findall(path)]
                if texts:
                    key = (subject.get("SubjectKey"), event.get("StudyEventOID")[3:], item.get("ItemOID")[2:])
                    written[key] = texts
    placeable = {key: texts for key, texts in queried.items() if key[2] in items}
    assert placeable and written == placeable


def test_a_de_identified_odm_carries_no_query(lbpb, tmp_path):
    out = tmp_path / "deid.xml"
    call_command("export_data", "--study", lbpb.code, "--format", "odm2", "--out", str(out), stdout=io.StringIO())
    assert b"<Query" not in out.read_bytes()
