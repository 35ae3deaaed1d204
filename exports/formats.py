"""Writers: a dataset's columns and rows -> one file per format. Pure Python (no Django).

Each writer takes the columns, an iterable of rows (read once, as they come from the database) and a path, and
returns the number of rows written. Text cells of the files people open in a spreadsheet (CSV, Excel) go through
``guard``, the one formula-injection rule (core.csv.safe_cell, passed in by the service so this module stays pure).
SPSS, Stata and Parquet hold typed columns, so they are written from a column store built chunk by chunk.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from instruments.definitions.redcap_read import CHOICES, COLUMNS, FORM, LABEL, MAX, MIN, NAME, TYPE, VALIDATION

from .dataset import DATE, INTEGER, NUMBER, TEXT, Column

BOM = "\ufeff"
Guard = Callable[[Any], Any]
STATA_LABEL_LIMIT = 80  # Stata refuses longer variable labels


def label_line(column: Column) -> str:
    """The variable label in every study language, as one line ("Pain / 疼痛")."""
    return " / ".join(dict.fromkeys(column.label.values())) or column.name


def value_label_line(labels: dict[str, str]) -> str:
    return " / ".join(dict.fromkeys(labels.values()))


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def write_csv(columns: Sequence[Column], rows: Iterable[Sequence[Any]], path: Path, *, guard: Guard) -> int:
    """UTF-8 with a byte-order mark (Excel reads Chinese right), header = variable names, dates ISO 8601. Text
    columns go through ``guard``; the others hold only numbers, dates or None by construction (the dataset's
    readers convert every value to its column's kind), which the csv writer writes as they are: repr for
    numbers, str (ISO 8601) for dates, an empty cell for None."""
    count = 0
    text = [index for index, column in enumerate(columns) if column.kind not in (INTEGER, NUMBER, DATE)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(BOM)
        writer = csv.writer(handle)
        writer.writerow([column.name for column in columns])
        for row in rows:
            cells = list(row)
            for index in text:
                cells[index] = guard(_plain(cells[index]))
            writer.writerow(cells)
            count += 1
    return count


def codebook_rows(columns: Sequence[Column], languages: Sequence[str]) -> list[list[str]]:
    """The codebook as a table: name, a label per language, type, value labels, source instrument version."""
    header = ["variable", *(f"label_{language}" for language in languages), "type", "values", "source"]
    body = [
        [
            column.name,
            *(column.label.get(language, "") for language in languages),
            column.kind,
            "; ".join(f"{code} = {value_label_line(text)}" for code, text in column.value_labels.items()),
            column.source,
        ]
        for column in columns
    ]
    return [header, *body]


def write_xlsx(
    columns: Sequence[Column], rows: Iterable[Sequence[Any]], path: Path, *, guard: Guard, languages: Sequence[str]
) -> int:
    """A "data" sheet (typed cells: dates as dates) and a "codebook" sheet; write-only, so memory stays flat."""
    from openpyxl import Workbook  # imported here: only this format needs it

    book = Workbook(write_only=True)
    data = book.create_sheet("data")
    data.append([column.name for column in columns])
    count = 0
    for row in rows:
        data.append([value if isinstance(value, (int, float, dt.date)) else guard(value) for value in row])
        count += 1
    codebook = book.create_sheet("codebook")
    for line in codebook_rows(columns, languages):
        codebook.append([guard(cell) for cell in line])
    book.save(path)
    return count


FRAME_CHUNK = 5000  # rows turned into typed arrays at a time


def _typed(kind: str, values: list[Any]):
    """One chunk of a column as a numpy array: float64 for numbers (integers with gaps too, as SPSS and Stata
    hold them; None is NaN), datetime64 for dates (None is NaT), text as objects ("" when missing)."""
    import numpy as np

    if kind in (INTEGER, NUMBER):
        return np.array(values, dtype="float64")
    if kind == DATE:
        return np.array(values, dtype="datetime64[ns]")
    return np.array(["" if value is None else str(value) for value in values], dtype=object)


def _frame(columns: Sequence[Column], rows: Iterable[Sequence[Any]]):
    """A pandas frame of the rows for pyreadstat, which writes from a whole frame (it has no streaming API): the
    rows are turned into typed arrays ``FRAME_CHUNK`` at a time, so what stays in memory is about 8 bytes a
    number or date cell, not a Python object per cell."""
    import numpy as np
    import pandas as pd

    parts: list[list[Any]] = [[] for _ in columns]
    batch: list[Sequence[Any]] = []
    count = 0

    def freeze() -> None:
        for index, (column, part) in enumerate(zip(columns, parts, strict=True)):
            part.append(_typed(column.kind, [row[index] for row in batch]))
        batch.clear()

    for row in rows:
        batch.append(row)
        count += 1
        if len(batch) == FRAME_CHUNK:
            freeze()
    freeze()
    data = {}
    for column, part in zip(columns, parts, strict=True):
        data[column.name] = np.concatenate(part)
        part.clear()  # each column's chunks go as soon as it is joined
    return pd.DataFrame(data, copy=False), count


def _numeric_value_labels(columns: Sequence[Column]) -> dict[str, dict[float, str]]:
    return {
        column.name: {float(code): value_label_line(text) for code, text in column.value_labels.items()}
        for column in columns
        if column.value_labels and column.kind in (INTEGER, NUMBER)
    }


def write_sav(columns: Sequence[Column], rows: Iterable[Sequence[Any]], path: Path) -> int:
    import pyreadstat

    frame, count = _frame(columns, rows)
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels={column.name: label_line(column) for column in columns},
        variable_value_labels=_numeric_value_labels(columns),
    )
    return count


def write_dta(columns: Sequence[Column], rows: Iterable[Sequence[Any]], path: Path) -> int:
    import pyreadstat

    frame, count = _frame(columns, rows)
    pyreadstat.write_dta(
        frame,
        str(path),
        column_labels={column.name: label_line(column)[:STATA_LABEL_LIMIT] for column in columns},
        variable_value_labels=_numeric_value_labels(columns),
    )
    return count


def codebook_json(columns: Sequence[Column]) -> str:
    return json.dumps(
        [
            {
                "name": column.name,
                "label": column.label,
                "type": column.kind,
                "values": {str(code): text for code, text in column.value_labels.items()},
                "source": column.source,
            }
            for column in columns
        ],
        ensure_ascii=False,
    )


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _arrow_type(kind: str):
    import pyarrow as pa

    return {INTEGER: pa.int64(), NUMBER: pa.float64(), DATE: pa.date32(), TEXT: pa.string()}[kind]


def _arrow_values(kind: str, values: list[Any]) -> list[Any]:
    if kind == INTEGER:
        return [None if value is None else int(value) for value in values]
    if kind == NUMBER:
        return [None if value is None else float(value) for value in values]
    if kind == TEXT:
        return [None if value is None else str(value) for value in values]
    return values


def write_parquet(columns: Sequence[Column], rows: Iterable[Sequence[Any]], path: Path, *, chunk: int = 5000) -> int:
    """Typed columns (int64, float64, date32, string), labels in each field's metadata and the whole codebook in
    the file's metadata (key ``codebook``, JSON); written in row groups of ``chunk`` rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = [
        pa.field(
            column.name, _arrow_type(column.kind), metadata={"label": json.dumps(column.label, ensure_ascii=False)}
        )
        for column in columns
    ]
    schema = pa.schema(fields, metadata={"codebook": codebook_json(columns)})
    count = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            count += 1
            if len(batch) == chunk:
                writer.write_table(_arrow_table(columns, batch, schema))
                batch = []
        if batch or count == 0:
            writer.write_table(_arrow_table(columns, batch, schema))
    return count


def _arrow_table(columns: Sequence[Column], batch: list[Sequence[Any]], schema):
    import pyarrow as pa

    arrays = [
        pa.array(_arrow_values(column.kind, [row[index] for row in batch]), type=_arrow_type(column.kind))
        for index, column in enumerate(columns)
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def _redcap_row(column: Column, form: str) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    row.update({NAME: column.name, FORM: form, LABEL: label_line(column)})
    if column.value_labels and column.kind == INTEGER:
        choices = " | ".join(f"{code}, {value_label_line(text)}" for code, text in column.value_labels.items())
        row.update({TYPE: "radio", CHOICES: choices})
    else:
        validation = {INTEGER: "integer", NUMBER: "number", DATE: "date_ymd"}.get(column.kind, "")
        row.update({TYPE: "text", VALIDATION: validation, MIN: "", MAX: ""})
    return row


def write_redcap_dictionary(columns: Sequence[Column], path: Path) -> int:
    """The columns as a REDCap data dictionary (one form per source instrument, the visit's fields in "visit")."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(BOM)
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for column in columns:
            form = column.source.split(" ")[0] if column.source else "visit"
            writer.writerow(_redcap_row(column, form))
    return len(columns)


# --- SAS transport v5 -----------------------------------------------------------------------------------------

XPT_NAME_LIMIT, XPT_LABEL_LIMIT = 8, 40  # SAS transport version 5: 8-character names, 40-character labels
XPT_MEMBER = "data.xpt"
SAS_PROGRAM = "formats.sas"


def xpt_names(columns: Sequence[Column]) -> list[str]:
    """Version 5 names: the variable's own name when it fits in 8 characters, else V0001, V0002... in column
    order (formats.sas renames them back to the long names every other format uses)."""
    names, taken = [], set()
    for number, column in enumerate(columns, start=1):
        name = column.name.upper() if len(column.name) <= XPT_NAME_LIMIT else f"V{number:04d}"
        if name in taken:
            name = f"V{number:04d}"
        taken.add(name)
        names.append(name)
    return names


def _sas_text(text: str) -> str:
    return text.replace("'", "''").replace("\n", " ")


def sas_program(columns: Sequence[Column], short: Sequence[str]) -> str:
    """A SAS program that reads data.xpt, defines a value-label format per labelled integer variable, renames
    the short names back to the long ones and sets every label (in UTF-8: run SAS with ENCODING=UTF8)."""
    lines = [
        "/* Generated by the LBPB EDC export: value labels, long names and labels for data.xpt. */",
        "libname xptin xport 'data.xpt';",
        "proc format;",
    ]
    formats = {}
    for number, column in enumerate(columns, start=1):
        if column.value_labels and column.kind in (INTEGER, NUMBER):
            fmt = f"VL{number:04d}F"  # by position: unique, and a SAS format name may not end in a digit
            formats[column.name] = fmt
            pairs = " ".join(
                f"{code} = '{_sas_text(value_label_line(text))}'" for code, text in column.value_labels.items()
            )
            lines.append(f"  value {fmt} {pairs};")
    lines += ["run;", "", "data work.export;", "  set xptin.data;"]
    renames = [
        f"{name}={column.name}" for column, name in zip(columns, short, strict=True) if name.lower() != column.name
    ]
    if renames:
        lines.append("  rename " + " ".join(renames) + ";")
    lines.append("run;")
    lines += ["", "data work.export;", "  set work.export;"]
    for column in columns:
        lines.append(f"  label {column.name} = '{_sas_text(label_line(column))}';")
        if column.name in formats:
            lines.append(f"  format {column.name} {formats[column.name]}.;")
    lines.append("run;")
    return "\n".join(lines) + "\n"


def _xpt_label(column: Column) -> str:
    """English only (transport v5 holds ASCII), cut at 40 characters; the full labels are in formats.sas."""
    text = column.label.get("en") or column.name
    return text.encode("ascii", "replace").decode()[:XPT_LABEL_LIMIT]


def write_xpt(columns: Sequence[Column], rows: Iterable[Sequence[Any]], path: Path, *, scratch: Path) -> int:
    """A zip of data.xpt (SAS transport version 5, table DATA) and formats.sas."""
    import zipfile

    import pandas as pd
    import pyreadstat

    frame, count = _frame(columns, rows)
    short = xpt_names(columns)
    frame.columns = short
    for name, column in zip(short, columns, strict=True):  # text cells in ASCII: transport v5 has no UTF-8
        if column.kind == TEXT:
            frame[name] = frame[name].map(lambda text: text.encode("ascii", "replace").decode())
        elif column.kind == DATE:  # date objects, so pyreadstat writes SAS dates (days, DATE9.), not datetimes
            frame[name] = frame[name].map(lambda stamp: None if pd.isna(stamp) else stamp.date()).astype(object)
    scratch.mkdir(parents=True, exist_ok=True)
    member = scratch / XPT_MEMBER
    pyreadstat.write_xport(
        frame,
        str(member),
        file_format_version=5,
        table_name="DATA",
        column_labels={name: _xpt_label(column) for name, column in zip(short, columns, strict=True)},
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(member, XPT_MEMBER)
        archive.writestr(SAS_PROGRAM, sas_program(columns, short))
    member.unlink()
    return count
