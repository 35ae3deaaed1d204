"""In a double-blind study a blinded role's export holds no arm in any format; the unblinded statistician's does
(so the search would catch a leak), and a blinded role cannot reach the statistician's file."""

import csv
import io
import tempfile
import zipfile

import openpyxl
import pyarrow.parquet as pq
import pyreadstat
import pytest
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from exports.models import DataExport, Pseudonym
from participants.models import Participant
from studies.models import Study

pytestmark = pytest.mark.django_db
FORMATS = ["csv_wide", "csv_participant", "csv_long", "xlsx", "sav", "dta", "parquet", "dictionary"]
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
    if fmt == "xlsx":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return b"".join(archive.read(name) for name in archive.namelist())
    if fmt == "parquet":
        table = pq.read_table(io.BytesIO(body))
        return (str(table.to_pydict()) + str(table.schema)).encode()
    return body


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
    rows = _rows(body, fmt)
    if fmt == "dictionary":
        return leaks + [row["Variable / Field Name"] for row in rows if row["Variable / Field Name"] == "arm"]
    assert rows and all(row["participant"] in arms for row in rows)
    for column in rows[0]:
        if column == "arm" or all(row[column] == arms[row["participant"]] for row in rows):
            leaks.append(column)
    return leaks


@pytest.mark.parametrize("role", ["admin", "data_manager"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_blinded_roles_export_holds_no_arm(client, admsc, make_user, role, fmt):
    client.force_login(make_user(role, admsc))
    export, body = exported(client, admsc, fmt)
    assert export.status == "done" and not export.arms
    assert not _arm_leaks(body, fmt, admsc)


@pytest.mark.parametrize("fmt", ["csv_wide", "xlsx", "parquet", "sav"])
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
