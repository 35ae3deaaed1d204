"""Services for a study's own instrument definitions: check uploaded files, then store them, all or nothing.

``study_instruments_check`` reads every file in full (our YAML, or a REDCap data dictionary CSV) and lists every
problem with its file and position: a key path for YAML (``items[2].label.zh``), a row for a dictionary
(``row 7 (pain_now)``). ``study_instruments_load`` stores the definitions only when no file has a problem.

Rules (docs/instrument-format.md, "Study instruments"): a study definition may not take a code of the built-in
library (responses name instruments by code, and the library is looked up first); a stored version never changes
(the same text again is a no-op, different text for a stored version is refused); two studies may each have their
own ``nrs``. Labels are required in the study's languages only.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace

import yaml
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record, diff, snapshot
from core import yaml_bounds

from .definitions import DefinitionError, Instrument, Problem, parse_definition
from .definitions.scorers import scorer_problems
from .models import DefinitionUpload, StudyInstrument
from .redcap_dd import form_csv, item_rows, read_data_dictionary
from .registry import library_codes

BOTH = ("en", "zh")
LANGUAGE_NAMES = {"en": "en", "zh": "zh", "zh-hans": "zh", "zh_hans": "zh"}
# Column sizes of StudyInstrument: longer values are file problems, not database errors.
CODE_LENGTH, VERSION_LENGTH = 40, 20
STUDY_CODE = re.compile(r"^[a-z0-9_-]{1,32}$")  # as studies.services accepts them
STORED_FIELDS = ("study_code", "code", "version", "checksum", "languages")


@dataclass(frozen=True)
class InstrumentFile:
    """One uploaded file: its name (as problems cite it) and its text."""

    name: str
    text: str


@dataclass
class Candidate:
    """A definition read from a file, ready to store: the YAML stored and where it came from."""

    file: InstrumentFile
    format: str
    instrument: Instrument
    definition: str
    where: str  # the position a problem about the whole definition cites ("code", or the form's first row)

    @property
    def checksum(self) -> str:
        return sha256(self.definition)


@dataclass
class LoadResult:
    stored: list[StudyInstrument] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)  # (code, version) already stored as given


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_languages(text: str | None) -> tuple[str, ...]:
    """ "en", "zh-Hans", "en,zh-Hans" (as a command or form says it) -> ("en",), ("zh",), ("en", "zh").

    ValueError for a language the product does not have."""
    if not text:
        return BOTH
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in LANGUAGE_NAMES]
    if unknown or not names:
        raise ValueError(_("Unknown language %(names)s: use en, zh-Hans or both.") % {"names": ", ".join(unknown)})
    return tuple(code for code in BOTH if code in {LANGUAGE_NAMES[name] for name in names})


def is_data_dictionary(file: InstrumentFile) -> bool:
    if file.name.lower().endswith((".yaml", ".yml")):
        return False
    first = file.text.lstrip("\ufeff").split("\n", 1)[0].lower()
    return file.name.lower().endswith(".csv") or first.startswith(('"variable / field name"', "variable / field name"))


def study_instruments_check(
    *, study_code: str, files: list[InstrumentFile], languages: tuple[str, ...] = BOTH
) -> tuple[list[Candidate], list[Problem]]:
    """Every definition the files hold and every problem of every file (nothing is stored)."""
    candidates: list[Candidate] = []
    problems = (
        []
        if STUDY_CODE.match(study_code)
        else [Problem("--study", "", _("'%(code)s' cannot be a study code") % {"code": study_code[:40]})]
    )
    for file in files:
        read = _read_redcap if is_data_dictionary(file) else _read_yaml
        found, file_problems = read(file, languages)
        candidates += found
        problems += file_problems
    problems += _rule_problems(study_code, candidates)
    return candidates, problems


def study_instruments_load(
    *,
    study_code: str,
    files: list[InstrumentFile],
    languages: tuple[str, ...] = BOTH,
    user=None,
    path: str = AuditEvent.Path.PAGE,
    audit_study=None,
) -> LoadResult:
    """Store every definition of ``files`` for ``study_code``, or raise DefinitionError listing every problem and
    store nothing. Identical versions already stored are left as they are (``unchanged``). ``audit_study`` is the
    Study row, when it exists, that the audit events belong to (this app sits below studies)."""
    candidates, problems = study_instruments_check(study_code=study_code, files=files, languages=languages)
    if problems:
        raise DefinitionError(problems)
    result = LoadResult()
    stored = _stored_checksums(study_code, candidates)
    new = list({one.instrument.key: one for one in candidates if one.instrument.key not in stored}.values())
    result.unchanged = [one.instrument.key for one in candidates if one.instrument.key in stored]
    try:
        with transaction.atomic():
            result.stored = _store(study_code, new, languages, user=user, path=path, audit_study=audit_study)
    except IntegrityError:  # another upload stored the same version between the check and the save
        meanwhile = _("Another upload stored these definitions meanwhile: try again.")
        raise DefinitionError([Problem("", "", meanwhile)]) from None
    return result


def _store(study_code, candidates, languages, *, user, path, audit_study) -> list[StudyInstrument]:
    uploads: dict[str, DefinitionUpload] = {}
    rows = []
    for one in candidates:
        if one.file.name not in uploads:
            uploads[one.file.name] = DefinitionUpload.objects.create(
                study_code=study_code,
                file_name=one.file.name[-255:],
                format=one.format,
                text=one.file.text,
                checksum=sha256(one.file.text),
                uploaded_by=_user(user),
            )
        row = StudyInstrument.objects.create(
            study_code=study_code,
            code=one.instrument.code,
            version=one.instrument.version,
            definition=one.definition,
            format=one.format,
            checksum=one.checksum,
            languages=",".join(languages),
            upload=uploads[one.file.name],
            uploaded_by=_user(user),
        )
        audit_record(
            user=_user(user),
            action=AuditEvent.Action.CREATE,
            instance=row,
            study=audit_study,
            changes=diff({}, snapshot(row, STORED_FIELDS)),
            path=path,
        )
        rows.append(row)
    return rows


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def _read_yaml(file: InstrumentFile, languages) -> tuple[list[Candidate], list[Problem]]:
    try:
        data = yaml_bounds.load(file.text)
    except yaml.YAMLError as error:
        return [], [Problem(file.name, "", _("cannot read YAML: %(error)s") % {"error": error})]
    instrument, problems = parse_definition(data, file.name, languages=languages)
    if instrument is not None and not problems:
        problems = scorer_problems(instrument, file.name)
    if instrument is None or problems:
        return [], problems
    return [Candidate(file, DefinitionUpload.Format.YAML, instrument, file.text, "code")], []


def read_dictionary(csv_text: str, languages: tuple[str, ...]) -> list[Instrument]:
    """The one call of the REDCap dictionary reader."""
    return read_data_dictionary(csv_text, languages=languages)


def _read_redcap(file: InstrumentFile, languages) -> tuple[list[Candidate], list[Problem]]:
    """Each form of the dictionary, stored as its own rows (``form_csv``); the reader checks the study's
    languages, the scorer is checked as for YAML."""
    try:
        forms = read_dictionary(file.text, languages)
    except DefinitionError as error:
        return [], [replace(problem, file=file.name) for problem in error.problems]
    rows = item_rows(file.text)
    candidates, problems = [], []
    for instrument in forms:
        found = scorer_problems(instrument, file.name)
        first = rows.get(instrument.code) or [""]
        where = f"row {first[0]} ({instrument.code})"
        problems += [replace(problem, path=f"{where}: {problem.path}") for problem in found]
        definition = form_csv(file.text, instrument.code)
        candidates += [] if found else [Candidate(file, DefinitionUpload.Format.REDCAP, instrument, definition, where)]
    return candidates, problems


def _rule_problems(study_code: str, candidates: list[Candidate]) -> list[Problem]:
    library = library_codes()
    stored = _stored_checksums(study_code, candidates)
    problems, seen = [], {}
    for one in candidates:
        code, version = one.instrument.code, one.instrument.version
        problems += _size_problems(one)
        if code in library:
            message = _("'%(code)s' is an instrument of the built-in library: give the study's instrument its own code")
            problems.append(Problem(one.file.name, one.where, message % {"code": code}))
        if (code, version) in seen and seen[(code, version)] != one.checksum:
            message = _("'%(code)s' version %(version)s is defined twice in this upload, differently")
            problems.append(Problem(one.file.name, one.where, message % {"code": code, "version": version}))
        seen[(code, version)] = one.checksum
        if stored.get((code, version), one.checksum) != one.checksum:
            message = _(
                "'%(code)s' version %(version)s is already stored for this study with another definition; "
                "a stored version never changes: give the changed definition a new version"
            )
            problems.append(Problem(one.file.name, one.where, message % {"code": code, "version": version}))
    return problems


def _size_problems(one: Candidate) -> list[Problem]:
    message = _("'%(value)s' is longer than %(limit)s characters")
    return [
        Problem(one.file.name, one.where, message % {"value": value[:20], "limit": limit})
        for value, limit in ((one.instrument.code, CODE_LENGTH), (one.instrument.version, VERSION_LENGTH))
        if len(value) > limit
    ]


def _stored_checksums(study_code: str, candidates: list[Candidate]) -> dict[tuple[str, str], str]:
    codes = {one.instrument.code for one in candidates}
    rows = StudyInstrument.objects.filter(study_code=study_code, code__in=codes)
    return {(code, version): checksum for code, version, checksum in rows.values_list("code", "version", "checksum")}


__all__ = [
    "Candidate",
    "InstrumentFile",
    "LoadResult",
    "parse_languages",
    "read_dictionary",
    "study_instruments_check",
    "study_instruments_load",
]
