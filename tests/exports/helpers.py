"""The source values of a study, read from the database independently of the export code, to compare files with."""

import datetime as dt

import pandas as pd

from exports.dataset import variable_name
from imaging.models import DataFile, DerivedMeasure
from instruments.models import Response
from instruments.registry import get_instrument
from participants.models import Visit


def _item_cells(prefix: str, item, value) -> dict:
    if item.type == "text" or value is None or value == "" or value == []:
        return {}
    if item.type == "multiple_choice":
        return {variable_name(prefix, item.code, str(o.code)): int(o.code in value) for o in item.options}
    if item.type == "date":
        return {variable_name(prefix, item.code): dt.date.fromisoformat(value)}
    return {variable_name(prefix, item.code): value}


def source_cells(study, *, partial_dates: bool = True) -> dict:
    """(study ID, visit code, variable) -> value of every answered item and stored score of the study's forms."""
    cells = {}
    for response in Response.objects.filter(participant__study=study).select_related("participant"):
        instrument = get_instrument(response.instrument_code, response.definition_version)
        prefix = response.activity_key if response.instance == 1 else f"{response.activity_key}_i{response.instance}"
        found = {}
        for item in instrument.items:
            if item.type == "partial_date" and not partial_dates:
                continue
            found |= _item_cells(prefix, item, response.values.get(item.code))
        for spec in instrument.scores:
            if response.scores.get(spec.name) is not None:
                found[variable_name(prefix, spec.name)] = response.scores[spec.name]
        for name, value in found.items():
            cells[(response.participant.identifier, response.visit_code, name)] = value
    return cells | measure_cells(study)


def measure_cells(study) -> dict:
    """(study ID, visit code, variable) -> each derived measure of the first file per kind and visit, and the
    number of MRI series per label, read straight from the imaging tables."""
    cells, first = {}, {}
    files = DataFile.objects.filter(study=study, link_status="linked").select_related("participant", "series")
    for data_file in files.order_by("recorded_at", "pk"):
        key = (data_file.participant.identifier, data_file.visit_code)
        if data_file.kind == "dicom" and data_file.series is not None:
            name = variable_name("mri", data_file.series.label)
            cells[(*key, name)] = cells.get((*key, name), 0) + 1
            continue
        if first.setdefault((*key, data_file.kind), data_file.pk) != data_file.pk:
            continue
        for measure in DerivedMeasure.objects.filter(data_file=data_file):
            cells[(*key, variable_name(data_file.kind, measure.name))] = measure.value
    return cells


def visit_dates(study) -> dict:
    """(study ID, visit code) -> the first occurrence's completion date (None when not done)."""
    dates = {}
    for visit in Visit.objects.filter(participant__study=study).order_by("sequence").select_related("participant"):
        dates.setdefault((visit.participant.identifier, visit.visit_code), visit.completed_on)
    return dates


VISIT_FIELDS = {
    "participant",
    "site",
    "arm",
    "visit",
    "visit_repeat",
    "visit_date",
    "visit_target_date",
    "visit_window",
}


def file_cells(records) -> dict:
    """The same shape from a file's rows (dicts by column name), ignoring empty cells and the visit's fields."""
    cells = {}
    for row in records:
        for name, value in row.items():
            if name in VISIT_FIELDS or value is None or value == "":
                continue
            if not isinstance(value, (list, tuple)) and pd.isna(value):  # NaN, NaT: pandas' missing values
                continue
            cells[(row["participant"], row["visit"], name)] = value
    return cells


def as_text(value) -> str:
    """A source value as a CSV cell holds it (ISO dates; Python's shortest round-trip repr of numbers)."""
    return value.isoformat() if isinstance(value, dt.date) else str(value)
