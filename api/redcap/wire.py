"""REDCap's wire conventions: request parameters in, json/csv/xml bodies and error bodies out.

Arrays arrive as ``name[0]=a`` (0- or 1-based), ``name[]=a`` or one comma-joined ``name=a,b``; booleans as
``true``/``1`` in any case; an empty string means "not given". Errors go out in ``returnFormat``, else
``format``, else xml (REDCap's default), with REDCap's texts and status codes (a 400, or a 403 for a bad token).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from django.http import HttpResponse, StreamingHttpResponse

FORMATS = ("json", "csv", "xml")
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" ?>'
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
    "text": "text/html; charset=utf-8",
}
ARRAY_KEY = re.compile(r"^(?P<name>[A-Za-z_]+)\[(?P<index>\d*)\]$")
SPECIAL = re.compile(r'[,"\r\n\t ]')  # what makes PHP's fputcsv quote a cell
DELIMITERS = {",": ",", "tab": "\t", ";": ";", "|": "|", "^": "^"}


class RedcapError(Exception):
    """An error answered as REDCap does: ``message`` (without the "ERROR: " of its csv form) and a status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


NO_PERMISSION = "You do not have permissions to use the API"
BAD_CONTENT = 'The value of the parameter "content" is not valid'
NO_IMPORT = "You do not have API Import/Update privileges"


@dataclass(frozen=True)
class Params:
    """The request's parameters: single values and arrays, read the ways REDCap's clients send them."""

    values: Mapping[str, str]
    arrays: Mapping[str, list[str]]

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> Params:
        values: dict[str, str] = {}
        indexed: dict[str, list[tuple[int, str]]] = {}
        for key, value in pairs:
            match = ARRAY_KEY.match(key)
            if match:
                index = int(match["index"]) if match["index"] else len(indexed.get(match["name"], ()))
                indexed.setdefault(match["name"], []).append((index, value))
            else:
                values[key] = value
        arrays = {
            name: [value for _i, value in sorted(items, key=lambda pair: pair[0])] for name, items in indexed.items()
        }
        return cls(values, arrays)

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, "").strip() or default

    def flag(self, name: str) -> bool:
        return self.get(name).lower() in ("true", "1")

    def array(self, name: str) -> list[str]:
        items = self.arrays[name] if name in self.arrays else self.values.get(name, "").split(",")
        return [item.strip() for item in items if item.strip()]

    def format(self, default: str = "xml") -> str:
        value = self.get("format", default).lower()
        return value if value in FORMATS else default

    def error_format(self) -> str:
        for name in ("returnFormat", "format"):
            value = self.get(name).lower()
            if value in FORMATS:
                return value
        return "xml"

    def delimiter(self) -> str:
        return DELIMITERS.get(self.get("csvDelimiter", ","), ",")


def error_response(error: RedcapError, fmt: str) -> HttpResponse:
    if fmt == "json":
        body = json.dumps({"error": error.message})
    elif fmt == "csv":
        body = f"ERROR: {error.message}"
    else:
        body = f"{XML_HEAD}\n<hash>\n  <error>{escape(error.message)}</error>\n</hash>"
    return HttpResponse(body, status=error.status, content_type=CONTENT_TYPES[fmt])


def text_response(value: Any) -> HttpResponse:
    """A bare value (version, a count, a record name): the same text in every format."""
    return HttpResponse(str(value), content_type=CONTENT_TYPES["text"])


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def csv_lines(
    rows: Iterable[Mapping[str, Any]],
    columns: list[str] | None = None,
    delimiter: str = ",",
    labels: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Header and rows as REDCap writes them; an empty table is one line break, with no header. ``labels``:
    column -> the text to write in the header instead of the name (``rawOrLabelHeaders=label``)."""
    header = list(columns) if columns else None
    wrote = False
    for row in rows:
        if header is None:
            header = list(row)
        if not wrote:
            yield csv_line([labels.get(c, c) for c in header] if labels else header, delimiter)
            wrote = True
        yield csv_line([_text(row.get(column, "")) for column in header], delimiter)
    if not wrote:
        yield "\n"


def csv_line(cells: list[str], delimiter: str = ",") -> str:
    """One line as PHP's fputcsv writes it (REDCap): a cell is quoted when it holds the delimiter, a quote, a
    line break, a tab or a space."""
    special = SPECIAL if delimiter == "," else re.compile(f'[{re.escape(delimiter)}"\r\n\t ]')
    quoted = ['"' + cell.replace('"', '""') + '"' if cell and special.search(cell) else cell for cell in cells]
    return delimiter.join(quoted) + "\n"


def json_lines(rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """A JSON array, one object at a time (a large export streams)."""
    yield "["
    for n, row in enumerate(rows):
        yield ("," if n else "") + json.dumps(row, ensure_ascii=False)
    yield "]"


def xml_lines(rows: Iterable[Mapping[str, Any]], root: str = "records") -> Iterator[str]:
    yield f"{XML_HEAD}\n<{root}>\n"
    for row in rows:
        cells = "".join(f"<{key}>{escape(_text(value))}</{key}>" for key, value in row.items())
        yield f"<item>{cells}</item>\n"
    yield f"</{root}>"


def table_response(
    rows: Iterable[Mapping[str, Any]],
    fmt: str,
    *,
    columns: list[str] | None = None,
    delimiter: str = ",",
    stream: bool = False,
    labels: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Rows in ``fmt``: a JSON array, CSV (``columns`` fixes the header, ``labels`` its texts) or XML records;
    with ``columns``, every format holds exactly those keys, in that order."""
    if columns and fmt != "csv":
        rows = ({column: row.get(column, "") for column in columns} for row in rows)
    if fmt == "json":
        lines = json_lines(rows)
    elif fmt == "csv":
        lines = csv_lines(rows, columns, delimiter, labels)
    else:
        lines = xml_lines(rows)
    if stream:
        return StreamingHttpResponse(lines, content_type=CONTENT_TYPES[fmt])
    return HttpResponse("".join(lines), content_type=CONTENT_TYPES[fmt])


def object_response(row: Mapping[str, Any], fmt: str) -> HttpResponse:
    """One object (project information): a JSON object, a one-row CSV or one XML item."""
    if fmt == "json":
        return HttpResponse(json.dumps(row, ensure_ascii=False), content_type=CONTENT_TYPES["json"])
    if fmt == "csv":
        return HttpResponse("".join(csv_lines([row])), content_type=CONTENT_TYPES["csv"])
    cells = "".join(f"<{key}>{escape(_text(value))}</{key}>" for key, value in row.items())
    return HttpResponse(f"{XML_HEAD}\n<item>{cells}</item>", content_type=CONTENT_TYPES["xml"])


def count_response(count: int, fmt: str) -> HttpResponse:
    """An import's count, in the import's returnFormat."""
    if fmt == "json":
        return HttpResponse(json.dumps({"count": count}), content_type=CONTENT_TYPES["json"])
    if fmt == "xml":
        return HttpResponse(f"{XML_HEAD}<count>{count}</count>", content_type=CONTENT_TYPES["xml"])
    return HttpResponse(str(count), content_type=CONTENT_TYPES["csv"])


def ids_response(ids: list[str], fmt: str) -> HttpResponse:
    if fmt == "json":
        return HttpResponse(json.dumps(ids), content_type=CONTENT_TYPES["json"])
    if fmt == "xml":
        body = "".join(f"<id>{escape(i)}</id>" for i in ids)
        return HttpResponse(f"{XML_HEAD}<ids>{body}</ids>", content_type=CONTENT_TYPES["xml"])
    return HttpResponse("id\n" + "".join(f"{i}\n" for i in ids), content_type=CONTENT_TYPES["csv"])


def parse_rows(data: str, fmt: str, delimiter: str = ",") -> list[dict[str, str]]:
    """Imported rows (json: a list of objects, numbers allowed; csv: header then rows; xml: <records><item>)."""
    if not data.strip():
        raise RedcapError("The data being imported is not formatted correctly: no data were given.")
    if fmt == "json":
        return _json_rows(data)
    if fmt == "xml":
        return _xml_rows(data)
    reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")), delimiter=delimiter)
    return [{(k or "").strip(): (v or "") for k, v in row.items()} for row in reader]


def _json_rows(data: str) -> list[dict[str, str]]:
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError):  # records are two levels deep: a deeper text is refused, not a 500
        raise RedcapError("The data being imported is not valid JSON.") from None
    if isinstance(parsed, dict):
        parsed = [parsed]
    if not isinstance(parsed, list) or not all(isinstance(row, dict) for row in parsed):
        raise RedcapError("The data being imported must be a JSON array of objects.")
    if any(isinstance(v, (list, dict)) for row in parsed for v in row.values()):
        raise RedcapError("The values of the data being imported must be text or numbers.")
    return [{str(k): _cell(v) for k, v in row.items()} for row in parsed]


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return _text(value)


def _xml_rows(data: str) -> list[dict[str, str]]:
    if (
        "<!DOCTYPE" in data.upper() or "<!ENTITY" in data.upper()
    ):  # no DOCTYPE or entity declarations (expansion attacks): REDCap's records need none
        raise RedcapError("The data being imported is not valid XML: declarations are not accepted.")
    try:
        root = ElementTree.fromstring(data)  # noqa: S314 (declarations refused just above)
    except ElementTree.ParseError:
        raise RedcapError("The data being imported is not valid XML.") from None
    return [{child.tag: (child.text or "") for child in item} for item in root.iter("item")]
