"""Derived measures as CSV for statistics software, in two shapes, streamed row by row.

``long``: one row per measure (``LONG_COLUMNS``), with the software versions and the estimate flag.
``wide``: one row per participant and visit, one column per kind and measure (``psg_total_sleep_time_min``), so
that one ``read_csv`` gives an analysis table. A visit with two files of one kind (a repeated night, say) keeps
both: the second file's columns carry the prefix ``psg2_`` (files in order of recording time, then of upload);
``<prefix>_file_id`` says which file a column group came from and ``<prefix>_estimate`` is 1 when any of its
values is an automatic-staging estimate. The long shape has everything; the wide one leaves out the software.

Neither shape holds a name, birth date, original file name (it may carry a name) or arm (blinding). The file is
written by ``core.csv`` like every CSV of the site: a UTF-8 byte-order mark first (Excel otherwise garbles
Chinese channel labels; pandas, readr and Stata's ``import delimited`` skip the mark, base R's ``read.csv``
needs ``fileEncoding = "UTF-8-BOM"``), text cells beginning with = + - @ (or a tab or carriage return) with a
leading apostrophe, numbers left alone, an estimate flag as 1 or 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.db.models import QuerySet

from audit.models import AuditEvent
from audit.services import audit_record
from imaging.models import DerivedMeasure, Kind
from imaging.selectors import measures_for_user

SHAPES = ("long", "wide")
LONG_COLUMNS = (
    "participant",
    "site",
    "visit",
    "kind",
    "measure",
    "value",
    "unit",
    "estimate",
    "software",
    "file_id",
    "file_sha256",
    "computed_at",
)
WIDE_KEYS = ("participant", "site", "visit")
KIND_ORDER = [kind.value for kind in (Kind.PSG, Kind.EMG, Kind.HRV, Kind.DICOM)]
SHA_PREFIX = 12  # enough to tell files apart and to check against a checksum; the id finds it on the site


def software_text(software) -> str:
    """``{"yasa": "0.6.5", "python": "3.11.9"}`` as ``python 3.11.9; yasa 0.6.5``."""
    if isinstance(software, dict):
        return "; ".join(f"{name} {version}" for name, version in sorted(software.items()))
    return str(software or "")


# Plain rows rather than model instances: five times faster on a study's tens of thousands of measures.
ROW_FIELDS = (
    "data_file_id",
    "data_file__participant_id",
    "data_file__participant__identifier",
    "data_file__participant__screening_number",
    "data_file__participant__site__code",
    "data_file__visit_code",
    "data_file__kind",
    "data_file__sha256",
    "name",
    "value",
    "unit",
    "is_estimate",
    "software",
    "computed_at",
)


def measure_rows(measures: QuerySet[DerivedMeasure]) -> QuerySet:
    """``measures`` (already scoped to the user) as dicts of ``ROW_FIELDS``, in the selector's order."""
    return measures.values(*ROW_FIELDS)


def participant_code(row: dict) -> str:
    return row["data_file__participant__identifier"] or row["data_file__participant__screening_number"]


def measure_record(row: dict) -> dict:
    """One measure row as the long CSV row and the API item (the same fields, so both say the same thing)."""
    return {
        "participant": participant_code(row),
        "site": row["data_file__participant__site__code"],
        "visit": row["data_file__visit_code"],
        "kind": row["data_file__kind"],
        "measure": row["name"],
        "value": row["value"],
        "unit": row["unit"],
        "estimate": row["is_estimate"],
        "software": software_text(row["software"]),
        "file_id": row["data_file_id"],
        "file_sha256": row["data_file__sha256"][:SHA_PREFIX],
        "computed_at": row["computed_at"].isoformat(timespec="seconds"),
    }


def long_rows(measures: QuerySet[DerivedMeasure]) -> Iterator[list]:
    yield list(LONG_COLUMNS)
    for row in measure_rows(measures).iterator(chunk_size=2000):
        record = measure_record(row)
        yield [record[column] for column in LONG_COLUMNS]


def column_name(prefix: str, name: str) -> str:
    """A column name Stata and SPSS accept as a variable name: word characters only (``stage_min:N1`` ->
    ``psg_stage_min_N1``)."""
    return prefix + "_" + re.sub(r"\W+", "_", name).strip("_")


def file_prefixes(measures: QuerySet[DerivedMeasure]) -> dict[int, str]:
    """Data file id -> column prefix: ``psg`` for the first PSG of a visit, ``psg2`` for a second, and so on."""
    files = sorted(
        measures.order_by()
        .values_list(
            "data_file__participant_id",
            "data_file__visit_code",
            "data_file__kind",
            "data_file__recorded_at",
            "data_file_id",
        )
        .distinct(),
        key=lambda file: (file[:3], file[3] is None, file[3] or 0, file[4]),
    )  # unknown recording times last
    prefixes, counts = {}, {}
    for participant_id, visit_code, kind, _, pk in files:
        number = counts[(participant_id, visit_code, kind)] = counts.get((participant_id, visit_code, kind), 0) + 1
        prefixes[pk] = kind if number == 1 else f"{kind}{number}"
    return prefixes


FILE_ID, ESTIMATE = "\0file_id", "\0estimate"  # a file's own columns, marked so no measure name can be them


def _kind_of(prefix: str) -> str:
    return prefix.rstrip("0123456789")


def _prefix_order(prefix: str):
    kind = _kind_of(prefix)
    rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
    return rank, kind, int(prefix[len(kind) :] or 1)


def wide_columns(measures: QuerySet[DerivedMeasure], prefixes: dict[int, str]) -> dict[tuple[str, str], str]:
    """(prefix, measure name, ``FILE_ID`` or ``ESTIMATE``) -> column name, in a stable order: kinds as in
    ``KIND_ORDER``, each file's id and estimate flag, then its measures by name."""
    names: dict[str, set[str]] = {}
    for kind, name in measures.order_by().values_list("data_file__kind", "name").distinct():
        names.setdefault(kind, set()).add(name)
    columns, taken = {}, set(WIDE_KEYS)
    for prefix in sorted(set(prefixes.values()), key=_prefix_order):
        for key in (FILE_ID, ESTIMATE, *sorted(names.get(_kind_of(prefix), ()))):
            wanted = f"{prefix}_{key[1:]}" if key in (FILE_ID, ESTIMATE) else column_name(prefix, key)
            column, number = wanted, 1
            while column in taken:  # two names that differ only in punctuation keep a column each
                number += 1
                column = f"{wanted}_{number}"
            taken.add(column)
            columns[(prefix, key)] = column
    return columns


def wide_rows(measures: QuerySet[DerivedMeasure]) -> Iterator[list]:
    prefixes = file_prefixes(measures)
    columns = wide_columns(measures, prefixes)
    header = [*WIDE_KEYS, *columns.values()]
    position = {column: index for index, column in enumerate(header)}
    yield header
    line, current = None, None
    for row in measure_rows(measures).iterator(chunk_size=2000):
        if (row["data_file__participant_id"], row["data_file__visit_code"]) != current:
            if line is not None:
                yield line
            current = (row["data_file__participant_id"], row["data_file__visit_code"])
            line = [participant_code(row), row["data_file__participant__site__code"], row["data_file__visit_code"]]
            line += [None] * (len(header) - len(WIDE_KEYS))
        prefix = prefixes[row["data_file_id"]]
        line[position[columns[(prefix, FILE_ID)]]] = row["data_file_id"]
        estimate = position[columns[(prefix, ESTIMATE)]]
        line[estimate] = bool(line[estimate]) or row["is_estimate"]
        line[position[columns[(prefix, row["name"])]]] = row["value"]
    if line is not None:
        yield line


def measures_csv(*, user, study, shape: str) -> Iterator[list]:
    """The CSV rows (header first, read as they are sent) of the measures ``user`` may see in ``study``;
    records the download in the audit trail."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}")
    measures = measures_for_user(user, study)
    audit_record(
        user=user,
        action=AuditEvent.Action.EXPORT,
        object_type="imaging.derivedmeasure",
        object_label=f"{study.code} measures ({shape})",
        study=study,
        reason="derived measures CSV",
    )
    return long_rows(measures) if shape == "long" else wide_rows(measures)


def measures_api_read(*, user, study) -> None:
    """Record a read of the measures through the API (each page), as the CSV download is recorded."""
    audit_record(
        user=user,
        action=AuditEvent.Action.EXPORT,
        object_type="imaging.derivedmeasure",
        object_label=f"{study.code} measures (API)",
        study=study,
        reason="derived measures API",
        path=AuditEvent.Path.API,
    )
