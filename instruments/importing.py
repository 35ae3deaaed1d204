"""Reading uploaded CSV files (response imports and REDCap data dictionaries). No writes here."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from core import validation

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
KEY_COLUMNS = 3  # study ID, visit code, activity key; item columns follow
INSTANCE = "instance"


def read_upload(upload) -> tuple[str, str]:
    """(text, "") for a UTF-8 file of reasonable size, or ("", why not)."""
    if upload.size > MAX_UPLOAD_BYTES:
        return "", _("The file is larger than 5 MB.")
    try:
        return upload.read().decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        return "", _("The file is not UTF-8 text. Save it as CSV UTF-8 and upload it again.")


@dataclass
class ImportRow:
    """One data row of an import file, and what became of it."""

    number: int
    identifier: str
    visit_code: str
    activity_key: str
    answers: dict[str, str]
    instance: int = 1
    status: str = ""  # saved, unchanged, refused, or "" before the import ran
    messages: list[str] = field(default_factory=list)


def _table(csv_text: str) -> tuple[list[list[str]], str]:
    """The CSV's rows, or why not: more data rows than RESPONSE_IMPORT_MAX_ROWS (counted while reading, so a huge
    file stops early), or a cell longer than RESPONSE_IMPORT_MAX_FIELD_CHARS."""
    max_rows, max_field = settings.RESPONSE_IMPORT_MAX_ROWS, settings.RESPONSE_IMPORT_MAX_FIELD_CHARS
    table: list[list[str]] = []
    reader = csv.reader(io.StringIO(csv_text.lstrip("\ufeff")))
    too_long = _("Line %(line)d has a cell longer than %(limit)d characters; shorten it or split the file.")
    try:
        for cells in reader:
            if any(len(cell) > max_field for cell in cells):
                return [], too_long % {"line": reader.line_num, "limit": max_field}
            table.append(cells)
            if len(table) > max_rows + 1:  # the header, then the data rows
                return [], _(
                    "The file has more than %(limit)d rows; at most %(limit)d rows are imported at once. "
                    "Split it into smaller files."
                ) % {"limit": max_rows}
    except csv.Error as error:
        if "field larger than field limit" in str(error):  # the csv module's own ceiling (128 KiB)
            return [], too_long % {"line": reader.line_num, "limit": max_field}
        return [], _("Line %(line)d cannot be read as CSV (%(error)s).") % {"line": reader.line_num, "error": error}
    return table, ""


def parse_import(csv_text: str) -> tuple[list[ImportRow], str]:
    """The rows of a response import file, or a message saying why the file cannot be read."""
    table, problem = _table(csv_text)
    if problem:
        return [], problem
    if len(table) < 2 or len(table[0]) <= KEY_COLUMNS:
        return [], _(
            "The file needs a header row and at least one data row: study ID, visit code, activity key, "
            "then one column per item code."
        )
    header = [name.strip() for name in table[0]]
    items = header[KEY_COLUMNS:]
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        cells = [cell.strip() for cell in cells] + [""] * (len(header) - len(cells))
        answers = dict(zip(items, cells[KEY_COLUMNS : len(header)], strict=True))
        instance_text = answers.pop(INSTANCE, "") or "1"
        row = ImportRow(number, cells[0], cells[1], cells[2], answers)
        if len(cells) > len(header) and any(cells[len(header) :]):
            row.messages.append(_("More cells than header columns."))
        try:
            row.instance = validation.check_instance(validation.parse_int(instance_text))
        except validation.InputRefused:
            row.messages.append(_("Instance must be a whole number from 1."))
        rows.append(row)
    return rows, ""
