"""Instrument definitions for every caller: the built-in library, then the study's own stored definitions.

The library (instruments/library, reviewed YAML files) is loaded once per process and checked at start-up
(``instruments.E001``). A study's definitions are rows (``StudyInstrument``) read from the database on each
look-up, so an upload is usable at once by every web and worker process; a parsed definition is cached per
process by checksum (rows are immutable), so a look-up costs one small query and a library one none.

A library code always wins (uploads may not reuse one: responses name instruments by code). A stored row that
no longer parses (after a change of the format, say) raises ``StoredDefinitionError`` for that study only, and is
logged; it never stops the server.
"""

from __future__ import annotations

import logging
from functools import cache

import yaml
from django.http import Http404

from core import yaml_bounds

from .definitions.library import LIBRARY_ROOT, Library, latest, load_library, version_key
from .definitions.model import DefinitionError, Instrument
from .definitions.parse import parse_definition
from .models import StudyInstrument
from .redcap_dd import read_data_dictionary

logger = logging.getLogger(__name__)

_parsed: dict[tuple[str, str], Instrument] = {}  # (checksum, languages) -> definition


class StoredDefinitionError(Http404, KeyError):
    """A study's stored definition does not read any more; ``problems`` says why.

    A KeyError, so callers treat it as an unknown instrument; an Http404, so a page that does not say more (the
    CRF page and the API do: 503 with the reason) answers 404 rather than a server error."""

    def __init__(self, study: str, code: str, version: str, problems: list[str]):
        super().__init__(code)
        self.study, self.code, self.version, self.problems = study, code, version, problems


@cache
def get_library() -> Library:
    return load_library(LIBRARY_ROOT)


def library_codes() -> set[str]:
    return {code for code, _version in get_library()}


def instrument_codes(*, study: str | None = None) -> set[str]:
    """The library's codes and, with ``study``, the codes that study stored."""
    codes = library_codes()
    if study:
        codes |= set(StudyInstrument.objects.filter(study_code=study).values_list("code", flat=True))
    return codes


def is_known_anywhere(code: str) -> bool:
    """A library code, or one some study stored (``manage.py rescore --instrument``)."""
    return code in library_codes() or StudyInstrument.objects.filter(code=code).exists()


def get_instrument(code: str, version: str | None = None, *, study: str | None = None) -> Instrument:
    """The definition of ``code`` at ``version`` (latest when None): the library's, else ``study``'s own.

    KeyError when neither has it (StoredDefinitionError when the study's row no longer reads).
    """
    library = get_library()
    try:
        return latest(library, code) if version is None else library[(code, version)]
    except KeyError:
        if not study:
            raise
    return _stored(study, code, version)


def instrument_for(participant, code: str, version: str | None = None) -> Instrument:
    """``get_instrument`` for a participant's study; the study is read only when the library lacks ``code``, so a
    library form costs no query."""
    try:
        return get_instrument(code, version)
    except KeyError:
        return get_instrument(code, version, study=participant.study.code)


def _stored(study: str, code: str, version: str | None) -> Instrument:
    rows = StudyInstrument.objects.filter(study_code=study, code=code)
    if version is not None:
        rows = rows.filter(version=version)
    found = list(rows.values_list("pk", "version", "checksum", "languages"))
    if not found:
        raise KeyError(code)
    pk, version, checksum, languages = max(found, key=lambda row: version_key(row[1]))
    if (checksum, languages) not in _parsed:  # the first look-up in this process: read the text once
        row = StudyInstrument.objects.only("study_code", "code", "version", "definition", "format").get(pk=pk)
        row.checksum, row.languages = checksum, languages
        return _from_row(row)
    return _parsed[(checksum, languages)]


def _from_row(row: StudyInstrument) -> Instrument:
    key = (row.checksum, row.languages)
    if key not in _parsed:
        _parsed[key] = read_stored(row)
    return _parsed[key]


def read_stored(row: StudyInstrument) -> Instrument:
    """Parse a stored definition with the reader of its format; StoredDefinitionError (logged) when it no longer
    reads."""
    file = f"{row.study_code}/{row.code}/{row.version}"
    languages = tuple(row.languages.split(","))
    if row.format == "redcap":  # DefinitionUpload.Format.REDCAP
        instrument, problems = _read_redcap_form(row.definition, languages)
    else:
        instrument, problems = _read_yaml(row.definition, file, languages)
    if instrument is None or problems or instrument.code != row.code:
        problems = problems or [f"{file}: not the definition of {row.code}"]
        logger.error("stored instrument definition %s does not read: %s", file, "; ".join(problems))
        raise StoredDefinitionError(row.study_code, row.code, row.version, problems)
    return instrument


def _read_yaml(text: str, file: str, languages) -> tuple[Instrument | None, list[str]]:
    try:
        data = yaml_bounds.load(text)
    except yaml.YAMLError as error:
        return None, [f"{file}: cannot read YAML: {error}"]
    instrument, found = parse_definition(data, file, languages=languages)
    return instrument, [str(problem) for problem in found]


def _read_redcap_form(text: str, languages) -> tuple[Instrument | None, list[str]]:
    try:
        forms = read_data_dictionary(text, languages=languages)
    except DefinitionError as error:
        return None, [str(problem) for problem in error.problems]
    return (forms[0], []) if len(forms) == 1 else (None, ["not one form"])


def study_definitions(study: str) -> list[tuple[StudyInstrument, Instrument | None]]:
    """Every stored version of ``study``'s definitions with its parsed definition (None when it does not read)."""
    out = []
    for row in StudyInstrument.objects.filter(study_code=study).select_related("upload", "uploaded_by"):
        try:
            out.append((row, _from_row(row)))
        except StoredDefinitionError:
            out.append((row, None))
    return out
