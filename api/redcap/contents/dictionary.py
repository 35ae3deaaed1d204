"""``content=metadata``, ``exportFieldNames`` and ``instrument``: the project's data dictionary.

The rows come from the REDCap dictionary writer of the instrument library (instruments.definitions.redcap_write,
Chinese and our finer types kept in its ``@EDC`` annotation), with item codes renamed to the project's field
names (``<form>_<item>``), branching logic and equations too; each score is a read-only ``calc`` field.
"""

from __future__ import annotations

import re

from instruments.definitions.redcap_read import COLUMNS
from instruments.definitions.redcap_write import instrument_rows

from ..project import Field, Form, Project
from ..wire import RedcapError, table_response

KEYS = [
    "field_name",
    "form_name",
    "section_header",
    "field_type",
    "field_label",
    "select_choices_or_calculations",
    "field_note",
    "text_validation_type_or_show_slider_number",
    "text_validation_min",
    "text_validation_max",
    "identifier",
    "branching_logic",
    "required_field",
    "custom_alignment",
    "question_number",
    "matrix_group_name",
    "matrix_ranking",
    "field_annotation",
]
REFERENCE = re.compile(r"\[([A-Za-z0-9_]+)(\([^)\]]*\))?\]")
NO_COLUMN = ("descriptive", "file")  # REDCap's exportFieldNames leaves them out


def _renamed(text: str, names: dict[str, str]) -> str:
    return REFERENCE.sub(lambda m: f"[{names.get(m[1], m[1])}{m[2] or ''}]", text) if text else text


def _form_rows(form: Form) -> list[dict[str, str]]:
    names = {f.item.code: f.name for f in form.fields if f.item is not None}
    rows = []
    for written in instrument_rows(form.instrument):
        row = {key: written.get(column, "") for key, column in zip(KEYS, COLUMNS, strict=True)}
        row["field_name"] = names[row["field_name"]]
        row["form_name"] = form.name
        row["branching_logic"] = _renamed(row["branching_logic"], names)
        if row["field_type"] == "calc":
            row["select_choices_or_calculations"] = _renamed(row["select_choices_or_calculations"], names)
        rows.append(row)
    for spec in form.instrument.scores:
        score = next(f for f in form.fields if f.score == spec.name)
        rows.append(
            dict.fromkeys(KEYS, "")
            | {
                "field_name": score.name,
                "form_name": form.name,
                "field_type": "calc",
                "field_label": spec.label.en,
                "field_note": "Score computed by the server on every save",
                "field_annotation": "@READONLY",
            }
        )
    return rows


def metadata_rows(project: Project) -> list[dict[str, str]]:
    if not project.forms:
        return []
    record = dict.fromkeys(KEYS, "") | {
        "field_name": project.record_field.name,
        "form_name": project.record_field.form,
        "field_type": "text",
        "field_label": "Study ID",
    }
    return [record] + [row for form in project.forms for row in _form_rows(form)]


def check_names(project: Project, fields: list[str], forms: list[str]) -> None:
    """REDCap's 400 for names that are not the project's (``<form>_complete`` and ``field___code`` pass)."""
    known = set(project.field_by_name) | {form.complete for form in project.forms}
    known |= {name for f in project.fields for name in f.export_names}
    bad = [name for name in fields if name not in known]
    if bad:
        raise RedcapError(f"The following values in the parameter \"fields\" are not valid: '{', '.join(bad)}'")
    bad = [name for name in forms if name not in project.form_by_name]
    if bad:
        raise RedcapError(f"The following values in the parameter \"forms\" are not valid: '{', '.join(bad)}'")


def metadata(caller, params, action):
    if action == "import":
        raise RedcapError("The data dictionary cannot be changed through the API: load a protocol amendment.")
    project = caller.project
    fields, forms = params.array("fields"), params.array("forms")
    check_names(project, fields, forms)
    rows = metadata_rows(project)
    if fields or forms:
        rows = [row for row in rows if row["field_name"] in fields or row["form_name"] in forms]
    return table_response(rows, params.format(), columns=KEYS, delimiter=params.delimiter())


def _field_name_rows(field: Field, project: Project) -> list[dict[str, str]]:
    if field.is_checkbox:
        return [
            {"original_field_name": field.name, "choice_value": str(option.code), "export_field_name": export}
            for option, export in zip(field.item.options, field.export_names, strict=True)  # type: ignore[union-attr]
        ]
    return [{"original_field_name": field.name, "choice_value": "", "export_field_name": field.name}]


def field_name_rows(project: Project) -> list[dict[str, str]]:
    rows = []
    for form in project.forms:
        fields = ((project.record_field,) if form.name == project.record_field.form else ()) + form.fields
        for field in fields:
            rows += _field_name_rows(field, project)
        rows.append({"original_field_name": form.complete, "choice_value": "", "export_field_name": form.complete})
    return rows


def export_field_names(caller, params, action):
    project = caller.project
    rows = field_name_rows(project)
    wanted = params.get("field")
    if wanted:
        if wanted not in project.field_by_name:
            raise RedcapError(f"The following values in the parameter \"field\" are not valid: '{wanted}'")
        rows = [row for row in rows if row["original_field_name"] == wanted]
    return table_response(rows, params.format(), delimiter=params.delimiter())


def instrument(caller, params, action):
    rows = [{"instrument_name": form.name, "instrument_label": form.label} for form in caller.project.forms]
    return table_response(rows, params.format(), columns=["instrument_name", "instrument_label"])
