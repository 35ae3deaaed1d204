"""In a double-blind study a blinded role's export holds no arm in any format; the unblinded statistician's does
(so the search would catch a leak), and a blinded role cannot reach the statistician's file."""

import csv
import io
import json
import tempfile
import zipfile

import openpyxl
import pyarrow.parquet as pq
import pyreadstat
import pytest
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from lxml import etree

from exports.models import DataExport, Pseudonym
from participants.models import Participant
from studies.models import Study

pytestmark = pytest.mark.django_db
FORMATS = ["csv_wide", "csv_participant", "csv_long", "xlsx", "sav", "dta", "parquet", "dictionary"]
FORMATS += ["xpt", "odm132", "odm2", "datasetjson", "codebook"]
ZIPPED = ("xlsx", "xpt", "datasetjson")
ARM_NAMES = [
    "High dose",
    "Mid dose",
    "Low dose",
    "Placebo: 2 mL",
    "高剂量",
    "中剂量",
    "低剂量",
    "安慰剂",
    "生理盐水",
]


@pytest.fixture
def admsc(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("generate_study", "--study", "admsc", "--participants", "8", "--seed", "4", stdout=io.StringIO())
    study = Study.objects.get(code="admsc")
    assert study.blinding == "double" and Participant.objects.filter(study=study).exclude(arm_code="").exists()
    return study


def exported(client, study, fmt: str) -> tuple[DataExport, bytes]:
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("exports:export-builder", args=[study.code]), {"format": fmt})
    export = DataExport.objects.filter(format=fmt).latest("pk")
    response = client.get(reverse("exports:export-download", args=[export.pk]))
    return export, b"".join(response.streaming_content)


def _searchable(body: bytes, fmt: str) -> bytes:
    if fmt in ZIPPED:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return b"".join(archive.read(name) for name in archive.namelist())
    if fmt == "parquet":
        table = pq.read_table(io.BytesIO(body))
        return (str(table.to_pydict()) + str(table.schema)).encode()
    return body


def _xpt_rows(body: bytes) -> list[dict]:
    """data.xpt read by pyreadstat, its short names renamed back as formats.sas does."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive, tempfile.TemporaryDirectory() as folder:
        program = archive.read("formats.sas").decode()
        frame = pyreadstat.read_xport(archive.extract("data.xpt", folder))[0]
    renames = {}
    for line in program.splitlines():
        if line.strip().startswith("rename "):
            renames |= dict(pair.split("=") for pair in line.strip()[len("rename ") : -1].split())
    return frame.rename(columns={name: renames.get(name, name.lower()) for name in frame.columns}).to_dict("records")


def _odm_rows(body: bytes) -> list[dict]:
    """One dict per study event of the ODM file: the subject key and every item value (lxml only)."""
    rows = []
    for subject in etree.fromstring(body).iter("{*}SubjectData"):
        for event in subject.iter("{*}StudyEventData"):
            items = {i.get("ItemOID"): i.get("Value") or i.findtext("{*}Value") for i in event.iter("{*}ItemData")}
            rows.append({"participant": subject.get("SubjectKey"), **items})
    return rows


def _dataset_json_tables(body: bytes) -> list[list[dict]]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        datasets = [json.loads(archive.read(name)) for name in archive.namelist()]
    names = [[column["name"] for column in data["columns"]] for data in datasets]
    return [[dict(zip(n, row, strict=True)) for row in data["rows"]] for n, data in zip(names, datasets, strict=True)]


def _tables(body: bytes, fmt: str) -> list[list[dict]]:
    if fmt == "datasetjson":
        return [rows for rows in _dataset_json_tables(body) if rows]
    if fmt in ("odm132", "odm2"):
        return [_odm_rows(body)]
    if fmt == "xpt":
        return [_xpt_rows(body)]
    return [_rows(body, fmt)]


def _rows(body: bytes, fmt: str) -> list[dict]:
    """The file's rows as dicts, read by each format's own reader."""
    if fmt == "xlsx":
        sheet = list(openpyxl.load_workbook(io.BytesIO(body), read_only=True)["data"].iter_rows(values_only=True))
        return [dict(zip(sheet[0], row, strict=True)) for row in sheet[1:]]
    if fmt in ("sav", "dta"):
        with tempfile.NamedTemporaryFile(suffix=f".{fmt}") as handle:
            handle.write(body)
            handle.flush()
            reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
            return reader(handle.name)[0].to_dict("records")
    if fmt == "parquet":
        return pq.read_table(io.BytesIO(body)).to_pylist()
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def _arm_leaks(body: bytes, fmt: str, study) -> list[str]:
    """Arm names anywhere in the bytes, an "arm" column, or any column that gives every participant's arm
    (arm codes such as "low" are ordinary words, so codes are looked for as a column, not as text)."""
    content = _searchable(body, fmt)
    leaks = [name for name in ARM_NAMES if name.encode() in content]
    arms = {p.code: p.participant.arm_code for p in Pseudonym.objects.filter(study=study).select_related("participant")}
    if fmt == "codebook":  # one table row per variable: the variable name is the first cell
        return leaks + (["arm"] if b"<tr><td>arm</td>" in body else [])
    if fmt == "dictionary":
        rows = _rows(body, fmt)
        return leaks + [row["Variable / Field Name"] for row in rows if row["Variable / Field Name"] == "arm"]
    tables = _tables(body, fmt)
    assert tables
    for rows in tables:
        assert rows and all(row["participant"] in arms for row in rows)
        for column in {name for row in rows for name in row}:
            if column == "arm" or all(row.get(column) == arms[row["participant"]] for row in rows):
                leaks.append(column)
    return leaks


@pytest.mark.parametrize("role", ["admin", "data_manager"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_blinded_roles_export_holds_no_arm(client, admsc, make_user, role, fmt):
    client.force_login(make_user(role, admsc))
    export, body = exported(client, admsc, fmt)
    assert export.status == "done" and not export.arms
    assert not _arm_leaks(body, fmt, admsc)


@pytest.mark.parametrize("fmt", ["csv_wide", "xlsx", "parquet", "sav", "xpt", "codebook"])
def test_the_search_would_catch_a_leak_because_the_statistician_gets_the_arms(client, admsc, make_user, fmt):
    client.force_login(make_user("unblinded_statistician", admsc))
    export, body = exported(client, admsc, fmt)
    assert export.arms and export.status == "done"
    assert "arm" in _arm_leaks(body, fmt, admsc)


def test_a_blinded_role_cannot_reach_the_statisticians_file(client, admsc, make_user):
    client.force_login(make_user("unblinded_statistician", admsc))
    export, _content = exported(client, admsc, "csv_wide")
    client.force_login(make_user("data_manager", admsc))
    assert client.get(reverse("exports:export-download", args=[export.pk])).status_code == 404
    assert client.get(reverse("exports:export-detail", args=[export.pk])).status_code == 404
    page = client.get(reverse("exports:export-builder", args=[admsc.code]))
    assert f"#{export.pk}".encode() not in page.content
