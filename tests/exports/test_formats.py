"""Every format, read back by an independent reader, holds the study's values, labels and types.

The study is generated (6 participants, seed 11: several visits, unanswered items, Chinese labels); the export is
identified so the values can be compared with the database as stored (de-identification has its own tests).
"""

import csv
import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest
from django.core.management import call_command

from exports.dataset import variable_name
from instruments.models import Response
from instruments.registry import get_instrument
from tests.exports.helpers import as_text, file_cells, source_cells, visit_dates

pytestmark = pytest.mark.django_db


def export(study, fmt: str, tmp_path, *extra: str):
    out = tmp_path / f"out.{fmt}"
    call_command(
        "export_data",
        "--study",
        study.code,
        "--format",
        fmt,
        "--identified",
        "--out",
        str(out),
        *extra,
        stdout=io.StringIO(),
    )
    return out


def a_choice_item(study):
    """(variable, Chinese item label, {code: Chinese option label}) of an answered single-choice item."""
    for response in Response.objects.filter(participant__study=study, instance=1):
        instrument = get_instrument(response.instrument_code, response.definition_version)
        for item in instrument.items:
            if item.type == "single_choice" and response.values.get(item.code) is not None:
                options = {option.code: option.label.zh for option in item.options}
                return variable_name(response.activity_key, item.code), item.label.zh, options
    raise AssertionError("the generated study has no answered single-choice item")


def test_the_generated_study_has_what_the_tests_need(lbpb):
    cells = source_cells(lbpb)
    assert len({visit for _p, visit, _n in cells}) >= 2
    assert any(isinstance(value, dt.date) for value in cells.values())
    assert any(isinstance(value, float) for value in cells.values())
    unanswered = [r for r in Response.objects.filter(participant__study=lbpb) if None in r.values.values()]
    assert unanswered  # missing values exist


def test_wide_csv_holds_every_value_as_text_with_a_bom(lbpb, tmp_path):
    raw = export(lbpb, "csv_wide", tmp_path).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert file_cells(rows) == {key: as_text(value) for key, value in source_cells(lbpb).items()}
    dates = visit_dates(lbpb)
    for row in rows:
        expected = dates.get((row["participant"], row["visit"]))
        if row["visit_repeat"] == "1":
            assert row["visit_date"] == (expected.isoformat() if expected else "")


def test_pandas_reads_the_wide_csv_with_numbers_as_numbers(lbpb, tmp_path):
    frame = pd.read_csv(export(lbpb, "csv_wide", tmp_path), encoding="utf-8-sig")
    name, _label, _options = a_choice_item(lbpb)
    assert pd.api.types.is_numeric_dtype(frame[name])


def test_excel_has_typed_cells_and_a_bilingual_codebook(lbpb, tmp_path):
    book = openpyxl.load_workbook(export(lbpb, "xlsx", tmp_path), read_only=True)
    data = list(book["data"].iter_rows(values_only=True))
    header = data[0]
    rows = [dict(zip(header, row, strict=True)) for row in data[1:]]
    got = {k: (v.date() if isinstance(v, dt.datetime) else v) for k, v in file_cells(rows).items()}
    source = source_cells(lbpb)
    assert got.keys() == source.keys()
    for key, value in source.items():  # Excel keeps 15 significant digits of a float
        assert got[key] == (pytest.approx(value, rel=1e-14) if isinstance(value, float) else value), key
        assert type(got[key]) is type(value) or isinstance(value, float), key  # ints stay ints, dates dates
    codebook = list(book["codebook"].iter_rows(values_only=True))
    assert codebook[0][:3] == ("variable", "label_en", "label_zh-Hans")
    name, label, options = a_choice_item(lbpb)
    line = next(row for row in codebook if row[0] == name)
    assert line[2] == label and line[3] == "integer" and all(text in line[4] for text in options.values())


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_spss_and_stata_hold_values_variable_labels_value_labels_and_dates(lbpb, tmp_path, fmt):
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    frame, meta = reader(str(export(lbpb, fmt, tmp_path)))
    rows = frame.to_dict("records")
    got = {k: (v.date() if isinstance(v, (dt.datetime, pd.Timestamp)) else v) for k, v in file_cells(rows).items()}
    source = source_cells(lbpb, partial_dates=True)
    assert got.keys() == source.keys()
    for key, value in source.items():
        assert got[key] == value, key
        assert isinstance(got[key], dt.date) == isinstance(value, dt.date), key  # dates stay dates
    name, label, options = a_choice_item(lbpb)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert label in labels[name]
    for code, text in options.items():
        assert text in meta.variable_value_labels[name][code]


def test_parquet_has_real_types_and_the_codebook_in_its_metadata(lbpb, tmp_path):
    table = pq.read_table(export(lbpb, "parquet", tmp_path))
    got = file_cells(table.to_pylist())
    assert got == source_cells(lbpb)
    name, label, options = a_choice_item(lbpb)
    assert str(table.schema.field(name).type) == "int64"
    assert str(table.schema.field("visit_date").type) == "date32[day]"
    codebook = {entry["name"]: entry for entry in json.loads(table.schema.metadata[b"codebook"])}
    assert codebook[name]["label"]["zh-Hans"] == label
    assert set(codebook[name]["values"]) == {str(code) for code in options}


def test_long_csv_has_one_row_per_item_and_says_why_a_value_is_missing(lbpb, tmp_path):
    text = export(lbpb, "csv_long", tmp_path).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    got = {(r["participant"], r["visit"], r["variable"]): r["value"] for r in rows if r["value"]}
    assert got == {key: as_text(value) for key, value in source_cells(lbpb).items()}
    reasons = {row["missing"] for row in rows if not row["value"]}
    assert "not_answered" in reasons and reasons <= {"not_answered", "not_applicable"}


def test_one_row_per_participant_puts_each_visit_side_by_side(lbpb, tmp_path):
    text = export(lbpb, "csv_participant", tmp_path).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len({p for p, _v, _n in source_cells(lbpb)})
    by_participant = {row["participant"]: row for row in rows}
    for (participant, visit, name), value in source_cells(lbpb).items():
        assert by_participant[participant][variable_name(visit, name)] == as_text(value)


def test_the_data_dictionary_is_a_redcap_csv_of_every_column(lbpb, tmp_path):
    rows = list(csv.DictReader(io.StringIO(export(lbpb, "dictionary", tmp_path).read_text(encoding="utf-8-sig"))))
    wide = export(lbpb, "csv_wide", tmp_path).read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert [row["Variable / Field Name"] for row in rows] == wide
    name, label, options = a_choice_item(lbpb)
    line = next(row for row in rows if row["Variable / Field Name"] == name)
    assert line["Field Type"] == "radio" and label in line["Field Label"]
    assert all(f"{code}, " in line["Choices, Calculations, OR Slider Labels"] for code in options)


def test_a_formula_in_free_text_is_defused_in_csv_and_excel_and_numbers_stay_numbers(lbpb, tmp_path):
    formula = '=HYPERLINK("http://evil.example","click")'
    for response in Response.objects.filter(participant__study=lbpb, instance=1):
        instrument = get_instrument(response.instrument_code, response.definition_version)
        text_items = [item.code for item in instrument.items if item.type == "text"]
        if text_items:
            response.values = {**response.values, text_items[0]: formula}
            response.save(update_fields=["values"])
            name = variable_name(response.activity_key, text_items[0])
            break
    text = export(lbpb, "csv_wide", tmp_path, "--free-text").read_text(encoding="utf-8-sig")
    cells = [row[name] for row in csv.DictReader(io.StringIO(text)) if "HYPERLINK" in row[name]]
    assert cells == ["'" + formula]
    book = openpyxl.load_workbook(export(lbpb, "xlsx", tmp_path, "--free-text"), read_only=True)
    rows = list(book["data"].iter_rows(values_only=True))
    column = rows[0].index(name)
    assert [row[column] for row in rows[1:] if "HYPERLINK" in (row[column] or "")] == ["'" + formula]
    numbers = [row[rows[0].index("visit_repeat")] for row in rows[1:]]
    assert all(isinstance(value, int) for value in numbers)


def test_derived_measures_and_mri_series_are_joined_by_participant_and_visit(lbpb, tmp_path):
    from tests.exports.helpers import measure_cells

    expected = measure_cells(lbpb)
    assert any(name.startswith("psg_") for _who, _visit, name in expected)
    assert any(name.startswith("mri_") for _who, _visit, name in expected)
    frame = pd.read_csv(export(lbpb, "csv_wide", tmp_path), encoding="utf-8-sig")
    found = {
        (row["participant"], row["visit"], name): row[name]
        for row in frame.to_dict("records")
        for _who, _visit, name in expected
        if name in row and not pd.isna(row[name])
    }
    assert found == pytest.approx(expected)
    table = pq.read_table(export(lbpb, "parquet", tmp_path)).to_pandas()
    assert table["psg_total_sleep_time_min"].dtype == "float64" and table["mri_t1w_head"].max() >= 1
