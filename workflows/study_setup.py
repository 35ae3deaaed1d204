"""Setting up a study from files: its own instrument definitions, its protocol, or both at once, and a new study
created from the product's pages. Each is one service calling the apps' own (instruments.uploads, studies through
``protocol_apply``), all or nothing.

A study's definitions and its protocol load in either order: ``study_instruments_apply`` works before the protocol
exists; ``protocol_with_instruments_apply`` stores the definitions and then loads the protocol in one transaction,
so the protocol may name the new codes; a problem in either stores neither, and every problem is listed as a
protocol problem (file and key path or row) so the pages and commands show one list.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext_noop

from accounts.models import Role
from accounts.services import membership_grant
from audit.models import AuditEvent
from instruments.definitions import DefinitionError
from instruments.uploads import BOTH, InstrumentFile, parse_languages, study_instruments_load
from instruments.uploads import LoadResult as InstrumentsResult
from studies.protocol import ProtocolError
from studies.protocol.reader import Problem
from studies.selectors import current_protocol, study_by_code
from studies.services import LoadResult, declared_study, declared_study_code

from .services import protocol_apply


def study_languages(study) -> tuple[str, ...]:
    """The label languages of ``study``'s definitions: its protocol's ``study.languages`` once the protocol format
    has them, else both."""
    protocol = current_protocol(study) if study is not None else None
    declared = getattr(protocol.study, "languages", BOTH) if protocol is not None else BOTH
    return _languages(declared)


def _languages(declared) -> tuple[str, ...]:
    try:
        return parse_languages(",".join(declared) if not isinstance(declared, str) else declared)
    except ValueError:
        return BOTH


def study_instruments_apply(
    *,
    study_code: str,
    files: Sequence[InstrumentFile],
    languages: tuple[str, ...] | None = None,
    user=None,
    path: str = AuditEvent.Path.PAGE,
) -> InstrumentsResult:
    """Store ``files``' definitions for ``study_code`` (which may have no protocol yet); raises DefinitionError
    listing every problem. ``languages`` default to the study's (``study_languages``)."""
    study = study_by_code(study_code)
    return study_instruments_load(
        study_code=study_code,
        files=list(files),
        languages=languages or study_languages(study),
        user=user,
        path=path,
        audit_study=study,
    )


def protocol_with_instruments_apply(
    *,
    text: str,
    filename: str,
    instrument_files: Sequence[InstrumentFile] = (),
    languages: tuple[str, ...] | None = None,
    user=None,
    study=None,
    path: str = AuditEvent.Path.PAGE,
) -> tuple[LoadResult, InstrumentsResult | None]:
    """The definitions, then the protocol, in one transaction; ProtocolError lists every problem of both and then
    nothing is stored. ``languages`` default to the protocol file's ``study.languages``, else the study's."""
    if not instrument_files:
        return protocol_apply(text=text, filename=filename, user=user, study=study, path=path), None
    code = declared_study_code(text)
    if code is None:  # no study to store them for: the protocol's own problems say why
        return protocol_apply(text=text, filename=filename, user=user, study=study, path=path), None
    languages = languages or _declared_languages(text) or study_languages(study_by_code(code))
    with transaction.atomic():
        problems: list[Problem] = []
        instruments = None
        try:
            instruments = study_instruments_apply(
                study_code=code, files=instrument_files, languages=languages, user=user, path=path
            )
        except DefinitionError as error:
            problems += [Problem(one.file, one.path, one.message) for one in error.problems]
        try:
            result = protocol_apply(text=text, filename=filename, user=user, study=study, path=path)
        except ProtocolError as error:
            raise ProtocolError([*problems, *error.problems]) from None
        if problems:
            raise ProtocolError(problems)
        return result, instruments


def _declared_languages(text: str) -> tuple[str, ...] | None:
    declared = declared_study(text).get("languages")
    return _languages(declared) if declared else None


def study_create(
    *,
    text: str,
    filename: str,
    user,
    instrument_files: Sequence[InstrumentFile] = (),
    languages: tuple[str, ...] | None = None,
) -> tuple[LoadResult, InstrumentsResult | None]:
    """A new study from its protocol file (and optionally its own definitions), by a server admin who becomes the
    study's Admin at every site. A file for a study that exists is refused: amendments load on the study's page."""
    code = declared_study_code(text)
    if code is not None and study_by_code(code) is not None:
        raise ProtocolError(
            [
                Problem.of(
                    filename,
                    "study.code",
                    gettext_noop("study '%(code)s' exists already: load amendments on its protocol page"),
                    code=code,
                )
            ]
        )
    with transaction.atomic():
        result, instruments = protocol_with_instruments_apply(
            text=text, filename=filename, instrument_files=instrument_files, languages=languages, user=user
        )
        membership_grant(user=user, study=result.study, role=Role.ADMIN, all_sites=True)
        return result, instruments
