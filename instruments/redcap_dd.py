"""REDCap data dictionary (the standard 18-column CSV) <-> instrument definitions. Pure Python.

REDCap has no place for a second language or for our finer item types, so the writer puts them in
the Field Annotation as one JSON action tag, ``@EDC={...}`` (REDCap ignores unknown tags). It holds
``type``, ``zh`` (label, help, options, anchors, formula_note, section) and extras (unit,
max_length, anchors), and on a form's first row ``form`` (version, title, kind, ...). The reader
takes structure (codes, options, ranges, required, branching) from REDCap's own columns and only
refines it from the tag, so a dictionary edited in REDCap still reads correctly. A dictionary made
in REDCap has no Chinese: read with ``languages=("en",)`` its labels come back with an empty zh; read with
both languages each row without Chinese is a problem. A ``calc`` field's equation is translated from
REDCap's syntax into an expression (instruments.expressions) and written back in REDCap's syntax.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from instruments.definitions.model import DefinitionError, Instrument, Problem
from instruments.definitions.redcap_read import COLUMNS, read_form, split_forms
from instruments.definitions.redcap_write import instrument_rows

FILE = "<data dictionary>"


def _rows(csv_text: str) -> tuple[list[dict[str, str]], list[Problem]]:
    table = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    if not table or len(table[0]) != len(COLUMNS):
        return [], [Problem(FILE, "row 1", f"expected REDCap's {len(COLUMNS)} columns")]
    header = [name.strip().lower() for name in table[0]]
    if header[0] not in ("variable / field name", "field name") or header[3] != "field type":
        return [], [Problem(FILE, "row 1", "the header is not a REDCap data dictionary header")]
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        cells = [cell.strip() for cell in cells] + [""] * (len(COLUMNS) - len(cells))
        row = dict(zip(COLUMNS, cells[: len(COLUMNS)], strict=True))
        row["#"] = str(number)
        rows.append(row)
    return rows, []


def read_data_dictionary(csv_text: str, *, languages: tuple[str, ...] = ("en", "zh")) -> list[Instrument]:
    """One Instrument per Form Name, in file order; DefinitionError lists every problem.

    ``languages`` are the label languages required (the label keys "en" and "zh"): a dictionary exported by
    REDCap has English only and reads without a problem with ``languages=("en",)``; read with both, every
    row without Chinese is a problem, so it is refused here rather than by the server's start-up check.
    """
    rows, problems = _rows(csv_text)
    instruments = []
    for form, form_rows in split_forms(rows):
        instrument, found = read_form(form, form_rows, FILE, languages)
        problems += found
        if instrument is not None:
            instruments.append(instrument)
    if problems:
        raise DefinitionError(problems)
    return instruments


def data_dictionary_rows(instruments: list[Instrument]) -> Iterator[list[str]]:
    """The rows (header first) of the 18-column CSV REDCap's Data Dictionary upload accepts."""
    yield list(COLUMNS)
    for instrument in instruments:
        for row in instrument_rows(instrument):
            yield [row.get(column, "") for column in COLUMNS]


def write_data_dictionary(instruments: list[Instrument]) -> str:
    """The data dictionary as CSV text."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(data_dictionary_rows(instruments))
    return out.getvalue()


def item_rows(csv_text: str) -> dict[str, list[str]]:
    """Form name -> the row numbers of its items (descriptive rows are not items), in file order: where a
    problem found in a form's converted definition (``items[3]``) is in the dictionary."""
    rows, _problems = _rows(csv_text)
    return {
        form: [row["#"] for row in form_rows if row[COLUMNS[3]].lower() != "descriptive"]
        for form, form_rows in split_forms(rows)
    }


def form_csv(csv_text: str, form: str) -> str:
    """The dictionary cut down to one form's rows (with the header): what a study stores for that form, read back
    by ``read_data_dictionary`` like the whole file."""
    rows, _problems = _rows(csv_text)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([row[column] for column in COLUMNS] for row in rows if row[COLUMNS[1]] == form)
    return out.getvalue()
