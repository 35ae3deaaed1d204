"""core.csv: the one formula guard, the byte-order mark, streaming in chunks, and a header no file name breaks."""

import csv
import io
from decimal import Decimal

import pytest
from django.http import HttpResponse

from core.csv import BOM, csv_chunks, csv_response, safe_cell
from core.downloads import attachment


def _read(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_cell_that_a_spreadsheet_would_run_gets_an_apostrophe(start):
    assert safe_cell(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


@pytest.mark.parametrize("value", ["plain", "", "a=b", " =x", "'=already", "中文"])
def test_other_text_is_left_alone(value):
    assert safe_cell(value) == value


def test_numbers_stay_numbers_and_none_and_booleans_have_one_spelling():
    assert safe_cell(-1) == -1 and safe_cell(-0.1) == -0.1 and safe_cell(Decimal("-2.5")) == Decimal("-2.5")
    assert (safe_cell(None), safe_cell(True), safe_cell(False)) == ("", "1", "0")
    assert safe_cell("-1") == "'-1"  # text is text, even when it looks like a number


def test_the_response_streams_a_bom_and_the_guarded_rows():
    response = csv_response([["name", "value"], ["=cmd|' /C calc'!A0", -3.25], ["睡眠", None]], "x.csv")
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    assert _read(response) == [["name", "value"], ["'=cmd|' /C calc'!A0", "-3.25"], ["睡眠", ""]]


def test_a_float_round_trips_exactly():
    value = 0.1 + 0.2
    [[text]] = _read(csv_response([[value]], "x.csv"))
    assert float(text) == value


def test_many_rows_go_in_one_chunk_and_rows_are_read_only_as_the_file_is_sent():
    read = []

    def rows():
        for number in range(1200):
            read.append(number)
            yield [number, "row"]

    chunks = csv_chunks(rows(), rows_per_chunk=500)
    assert next(chunks) == BOM and read == []
    parts = list(chunks)
    assert len(parts) == 3 and parts[0].count("\r\n") == 500 and parts[-1].count("\r\n") == 200
    assert len(read) == 1200


def test_an_empty_export_is_the_bom_alone():
    assert list(csv_chunks([])) == [BOM]


def test_the_guard_can_be_turned_off_for_an_interchange_file_only_when_asked():
    assert _read(csv_response([["@EDC={}"]], "dd.csv", guard=False)) == [["@EDC={}"]]
    assert _read(csv_response([["@EDC={}"]], "dd.csv")) == [["'@EDC={}"]]


def test_a_plain_file_name_is_quoted_as_before():
    assert csv_response([], "alpha-consort.csv")["Content-Disposition"] == 'attachment; filename="alpha-consort.csv"'


@pytest.mark.parametrize(
    "name",
    ['evil.csv"\r\nSet-Cookie: a=b', "evil\n.csv", "研究-导出.csv", 'quote".csv', "back\\slash.csv"],
)
def test_a_hostile_or_chinese_file_name_cannot_break_the_header(name):
    header = csv_response([], name)["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    assert header.startswith("attachment; filename")
    assert header.count('"') in (0, 2) or '\\"' in header
    header.encode("latin-1")  # a header must be encodable as ISO-8859-1


def test_a_non_ascii_name_is_sent_in_the_rfc_6266_form():
    header = attachment(HttpResponse(), "研究.csv")["Content-Disposition"]
    assert header == "attachment; filename*=utf-8''%E7%A0%94%E7%A9%B6.csv"
