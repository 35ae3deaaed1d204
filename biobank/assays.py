"""Assay results from a CSV file, read and checked as a whole: every problem with its line number. Pure Python.

Columns (header required, any order): specimen_id, analyte, value, unit, lod (lower limit of detection, may be
empty), run, date (YYYY-MM-DD).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import date

COLUMNS = ("specimen_id", "analyte", "value", "unit", "lod", "run", "date")
MAX_ROWS = 50_000


@dataclass(frozen=True)
class AssayRow:
    line: int
    specimen_id: str
    analyte: str
    value: float
    unit: str
    lod: float | None
    run: str
    measured_on: date


def read_assays(text: str) -> tuple[list[AssayRow], list[tuple[int, str]]]:
    """The rows, and the problems as (line, message) pairs; a file with any problem must not be applied."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [(1, "missing columns: " + ", ".join(missing))]
    rows, problems = [], []
    for line, record in enumerate(reader, start=2):
        if line > MAX_ROWS + 1:
            problems.append((line, f"more than {MAX_ROWS} rows"))
            break
        row, problem = _row(line, record)
        if problem:
            problems.append((line, problem))
        else:
            rows.append(row)
    return rows, problems


def _number(text: str) -> float | None:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _row(line: int, record: dict) -> tuple[AssayRow | None, str]:
    values = {k: (record.get(k) or "").strip() for k in COLUMNS}
    empty = [k for k in ("specimen_id", "analyte", "value", "run", "date") if not values[k]]
    if empty:
        return None, "empty " + ", ".join(empty)
    try:
        number, lod = _number(values["value"]), _number(values["lod"]) if values["lod"] else None
    except ValueError:
        return None, "value and lod must be numbers"
    try:
        measured = date.fromisoformat(values["date"])
    except ValueError:
        return None, f"date '{values['date'][:20]}' is not YYYY-MM-DD"
    too_long = [k for k, v in values.items() if len(v) > 64]
    if too_long:
        return None, "longer than 64 characters: " + ", ".join(too_long)
    row = AssayRow(line, values["specimen_id"], values["analyte"], number, values["unit"], lod, values["run"], measured)
    return row, ""
