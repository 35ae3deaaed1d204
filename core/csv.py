"""CSV downloads: the one formula guard, a UTF-8 byte-order mark, streaming, and a safe file name.

Every CSV the site hands out goes through ``csv_response``, so the rules below hold for all of them:

- A text cell beginning with = + - @, a tab or a carriage return gets a leading apostrophe, so a spreadsheet
  shows it instead of running it as a formula (CSV injection); only the REDCap data dictionary, read back by
  REDCap and not by people, turns it off (``guard=False``). Numbers stay numbers (a negative value is not a
  formula and statistics software must read it as a number); ``None`` is an empty cell; a boolean is 1 or 0.
- The file starts with a UTF-8 byte-order mark: Excel otherwise reads UTF-8 as the local code page and garbles
  Chinese. pandas, readr and Stata's ``import delimited`` skip the mark.
- The body is streamed, many rows per chunk, so a large export neither sits in memory nor costs one write per line.
- A producer that knows which of its columns can hold text from outside (a large file: the audit trail) names them
  (``guarded=``); the guard then runs on those cells only, and the others (times, codes it made itself) are written
  as they come. Without ``guarded`` every cell is guarded.
- The file name goes through ``core.downloads.attachment``: a quote, CRLF or non-ASCII character cannot
  break the header.

Only Django and the standard library here: every app may use it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Iterable, Iterator
from decimal import Decimal

from django.http import StreamingHttpResponse

from core.downloads import attachment

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
BOM = "\ufeff"
ROWS_PER_CHUNK = 500
CONTENT_TYPE = "text/csv; charset=utf-8"


def safe_cell(value) -> str | int | float | Decimal:
    """One cell as the csv writer should write it (see the module docstring for the rule)."""
    if type(value) is str:  # the common case first: one type test and a set lookup of the first character
        return "'" + value if value[:1] in _FORMULA_FIRST else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float, Decimal)):
        return value  # the csv writer writes repr(float), which round-trips exactly
    text = str(value)
    return "'" + text if text[:1] in _FORMULA_FIRST else text


def _shaper(guard: bool, guarded: Collection[int] | None) -> Callable[[Iterable], Iterable]:
    """What each row goes through before the csv writer: nothing, the guard on every cell, or on some columns."""
    if not guard:
        return lambda row: row
    if guarded is None:
        return lambda row: [safe_cell(cell) for cell in row]
    columns = tuple(guarded)

    def some(row: Iterable) -> list:
        cells = list(row)
        for column in columns:
            cells[column] = safe_cell(cells[column])
        return cells

    return some


def csv_chunks(
    rows: Iterable[Iterable],
    *,
    guard: bool = True,
    guarded: Collection[int] | None = None,
    rows_per_chunk: int = ROWS_PER_CHUNK,
) -> Iterator[str]:
    """The byte-order mark, then ``rows`` as CSV text, ``rows_per_chunk`` rows at a time.

    ``guard=False`` is only for interchange files read back by a program that needs the cells verbatim (a
    REDCap data dictionary, whose action tags begin with @); never for a report someone opens in a spreadsheet.
    ``guarded`` names the columns (0-based) that can hold outside text; the producer promises that every other
    cell is text of its own making (never None) or a number.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    shape = _shaper(guard, guarded)
    yield BOM
    pending = 0
    for row in rows:
        writer.writerow(shape(row))
        pending += 1
        if pending == rows_per_chunk:
            yield _drain(buffer)
            pending = 0
    if pending:
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def csv_response(
    rows: Iterable[Iterable], filename: str, *, guard: bool = True, guarded: Collection[int] | None = None
) -> StreamingHttpResponse:
    """``rows`` (the header first) as a streamed CSV download; the rows are read while the file is sent."""
    chunks = csv_chunks(rows, guard=guard, guarded=guarded)
    return attachment(StreamingHttpResponse(chunks, content_type=CONTENT_TYPE), filename)
