"""Insert many generated rows fast: ``COPY ... FROM STDIN`` on PostgreSQL, ``bulk_create`` elsewhere.

The big tables of a synthetic study (visits, responses and their revisions: about 140 rows a participant on
the LBPB schedule) are built as plain tuples of column values, not model instances, and on PostgreSQL copied
in one ``COPY`` per table and batch, their ids drawn beforehand from the table's own identity sequence (so
children can refer to them and the sequence stays right for later inserts). JSON columns are ``Json`` values
that carry both the object (for ``bulk_create``) and its text, serialised once for all the responses that
share a pooled form. The rows are exactly those ``bulk_create`` would store: the same columns, defaults
and time stamps given explicitly.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from typing import Any

from django.db import connection

NULL = "\\N"


def _escape(text: str) -> str:
    """Text as a field of COPY's text format."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Json:
    """A JSON column value: the object, and its COPY field text computed once."""

    __slots__ = ("value", "field")

    def __init__(self, value: Any):
        self.value = value
        self.field = _escape(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _field(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, Json):
        return value.field
    if isinstance(value, str):
        return _escape(value)
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()  # bytea's hex form, its backslash escaped for COPY
    return str(value)


def _python(value: Any) -> Any:
    return value.value if isinstance(value, Json) else value


def _reserve(table: str, count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
        return [row[0] for row in cursor.fetchall()]


def _text(ids: list[int], rows: list[tuple]) -> io.StringIO:
    """The rows in COPY's text format; each column's distinct values are formatted once (codes, time stamps
    and the pooled forms' JSON repeat across thousands of rows)."""
    memos: list[dict] = [{} for _ in rows[0]]
    buffer = io.StringIO()
    for pk, row in zip(ids, rows, strict=True):
        parts = [str(pk)]
        for memo, value in zip(memos, row, strict=True):
            text = memo.get(value)
            if text is None:
                text = memo[value] = _field(value)
            parts.append(text)
        buffer.write("\t".join(parts))
        buffer.write("\n")
    buffer.seek(0)
    return buffer


def _with_defaults(model, columns: tuple[str, ...], rows: list[tuple]) -> tuple[tuple[str, ...], list[tuple]]:
    """The fields a generator does not give, with their model defaults, as bulk_create would store them: COPY
    names its columns, and a field added to a model later has no default in the database."""
    missing = [f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in columns]
    if not missing:
        return columns, rows
    extra = tuple(_default(field) for field in missing)
    return (*columns, *(f.attname for f in missing)), [(*row, *extra) for row in rows]


def _default(field) -> Any:
    value = field.get_default()
    return Json(value) if isinstance(value, (dict, list)) else value


def _copy(model, columns: tuple[str, ...], rows: list[tuple]) -> list[int]:
    columns, rows = _with_defaults(model, columns, rows)
    table = model._meta.db_table
    column = {field.attname: field.column for field in model._meta.concrete_fields}
    ids = _reserve(table, len(rows))
    names = ", ".join(connection.ops.quote_name(name) for name in ("id", *(column[name] for name in columns)))
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN", _text(ids, rows))
    return ids


def insert_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> list[int]:
    """Insert ``rows`` (values of ``columns``, the fields' attribute names, foreign keys as ids) and return their
    ids in order. Call inside a transaction: on PostgreSQL a failure leaves none of them."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _copy(model, columns, rows)
    objects = [model(**{name: _python(value) for name, value in zip(columns, row, strict=True)}) for row in rows]
    return [obj.pk for obj in model.objects.bulk_create(objects, batch_size=2000)]
