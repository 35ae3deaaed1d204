"""Writes for studies: loading a protocol file (the one way a study's protocol changes).

The stored file is the protocol (``ProtocolVersion.text``, read through ``studies.selectors.current_protocol``);
the load writes only the study and site rows other tables point at, from the file, in ``_upsert_rows``.

A load that creates or amends a study is written to the audit trail in the same transaction: the study's
changed fields, and the new protocol version with the list of changes from the previous one.

An amendment of a blinded study that could weaken the blind (``studies.protocol.blinding``) needs a user who
may AMEND_BLINDING (the Unblinded statistician), or no user on the command path (``manage.py load_protocol``:
server operators are trusted); it is refused otherwise, and when loaded its changes and audit row carry a
"blinding-relevant amendment by ..." line for the sponsor.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field

import yaml
from django.db import transaction
from django.utils.translation import gettext_noop

from accounts.capabilities import Action, can, is_blinded
from audit.models import AuditEvent
from audit.services import audit_record, diff, snapshot
from core import yaml_bounds

from .models import ProtocolVersion, Site, Study
from .protocol import Protocol, ProtocolError, blinding_relevant_changes, diff_protocols, limits
from .protocol.anchor_events import check_anchor_items
from .protocol.outcomes import check_discontinuation_fields
from .protocol.quality import InstrumentFields, check_quality_fields
from .protocol.reader import Problem
from .protocol.sdv import check_sdv_fields
from .selectors import parse_protocol_text

CREATED, UNCHANGED, AMENDED = "created", "unchanged", "amended"
# What the trail keeps of a protocol version (the file itself is in the row; its checksum identifies it).
VERSION_FIELDS = ("version", "version_date", "filename", "checksum", "changes", "is_current")
_SLUG = re.compile(r"^[a-z0-9_-]{1,32}$")


@dataclass
class LoadResult:
    status: str  # created | unchanged | amended
    study: Study
    version: ProtocolVersion
    changes: list[str] = field(default_factory=list)
    # The study existed before (an amendment, or the first file of a study made by hand): its participants'
    # visits may need new dates. workflows.services.protocol_apply re-projects them.
    reproject: bool = False


def protocol_load(
    *,
    text: str,
    filename: str,
    user=None,
    study: Study | None = None,
    reason: str = "",
    path: str = AuditEvent.Path.PAGE,
) -> LoadResult:
    """Load a protocol file: create the study, leave it unchanged, or record an amendment.

    Raises ProtocolError (every problem, with file and key path) and then writes nothing. With ``study``
    the file must be that study's (the upload page of one study cannot create or change another).
    ``path`` is the audit path: "page" for the upload page, "command" for ``manage.py load_protocol``.
    """
    protocol = parse_protocol_text(text, filename=filename, study_code=declared_study_code(text))
    code = protocol.study.code.lower()
    _check_quality_fields(protocol, filename, code)
    _check_anchor_items(protocol, filename, code)
    _check_discontinuation_fields(protocol, filename, code)
    if not _SLUG.match(code):
        _refuse(
            filename,
            "study.code",
            gettext_noop("'%(code)s' cannot be a study code: use at most 32 letters, digits, '-' or '_'"),
            code=protocol.study.code,
        )
    if study is not None and study.code != code:
        _refuse(
            filename,
            "study.code",
            gettext_noop("this file is for study '%(code)s', not '%(study)s'"),
            code=protocol.study.code,
            study=str(study),
        )
    _check_lengths(protocol, filename)
    checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with transaction.atomic():
        existing = Study.objects.select_for_update().filter(code=code).first()
        current = _current_version(existing)
        if current is not None and current.checksum == checksum:
            return LoadResult(UNCHANGED, existing, current)
        _check_version_is_new(existing, protocol, filename, checksum)
        old = _previous(current)
        changes = _changes(current, old, protocol)
        changes += _blinding_flag(existing, current, old, protocol, filename=filename, user=user, path=path)
        study_before = snapshot(existing) if existing is not None else {}
        study_row = _upsert_rows(code, protocol)
        if current is not None:
            current.is_current = False
            current.save(update_fields=["is_current"])
        version = ProtocolVersion.objects.create(
            study=study_row,
            version=protocol.study.protocol_version,
            version_date=protocol.study.protocol_date,
            filename=filename[-255:],
            text=text,
            checksum=checksum,
            changes=changes,
            is_current=True,
            loaded_by=user,
        )
        _audit_load(existing, study_before, study_row, version, user=user, reason=reason, path=path)
        status = CREATED if current is None else AMENDED
        return LoadResult(status, study_row, version, changes, reproject=existing is not None)


def _audit_load(
    existing, study_before: dict, study: Study, version: ProtocolVersion, *, user, reason: str, path: str
) -> None:
    """Two events: the study row (created, or its changed fields) and the protocol version loaded."""
    study_action = AuditEvent.Action.CREATE if existing is None else AuditEvent.Action.UPDATE
    study_changes = diff(study_before, snapshot(study))
    if study_changes or existing is None:
        audit_record(user=user, action=study_action, instance=study, changes=study_changes, reason=reason, path=path)
    audit_record(
        user=user,
        action=AuditEvent.Action.CREATE,
        instance=version,
        reason=reason,
        path=path,
        changes=diff({}, snapshot(version, VERSION_FIELDS)),
    )


def _refuse(filename: str, path: str, msgid: str, **params):
    raise ProtocolError([Problem.of(filename, path, msgid, **params)])


def declared_study_code(text: str) -> str | None:
    """The ``study.code`` a protocol file declares (lower case), read before the full parse so that the study's
    own instruments count as known codes; None when the file does not say (the parse then reports it)."""
    code = declared_study(text).get("code")
    return code.lower() if isinstance(code, str) else None


def declared_study(text: str) -> dict:
    """The file's ``study:`` mapping as written, read with the bounded loader (a hostile file gives {}: the full
    parse then reports it)."""
    try:
        data = yaml_bounds.load(text, max_depth=limits.MAX_YAML_DEPTH, max_nodes=limits.MAX_YAML_NODES)
    except yaml.YAMLError:
        return {}
    study = data.get("study") if isinstance(data, dict) else None
    return study if isinstance(study, dict) else {}


def _check_quality_fields(protocol: Protocol, filename: str, study_code: str) -> None:
    """A data-quality rule naming an item or score its instrument lacks would never fire: refuse the file (and a
    targeted-SDV field its instrument lacks could never be ticked).

    Checked on load, not in ``parse_protocol_text``, so a stored version keeps reading after the library changes.
    """
    fields = _instrument_fields(study_code)
    problems = check_quality_fields(protocol.quality_rules, fields, filename=filename)
    problems += check_sdv_fields(protocol.sdv, fields, filename=filename) if protocol.sdv else []
    if problems:
        raise ProtocolError(problems)


def _check_discontinuation_fields(protocol: Protocol, filename: str, study_code: str) -> None:
    """Likewise for a discontinuation criterion naming an item or score its instrument lacks."""
    fields = _instrument_fields(study_code)
    problems = check_discontinuation_fields(protocol.discontinuation, fields, filename=filename)
    if problems:
        raise ProtocolError(problems)


def _definitions(study_code: str) -> list:
    """Every definition the study's protocol may name: the library's and the study's own, over all versions."""
    # as in studies.selectors: importing studies loads no instruments
    from instruments.registry import get_library, study_definitions

    own = [instrument for _row, instrument in study_definitions(study_code) if instrument is not None]
    return list(get_library().values()) + own


def _instrument_fields(study_code: str) -> dict[str, InstrumentFields]:
    """Item codes and score names of every instrument the study may name, over all versions."""
    items, scores = defaultdict(set), defaultdict(set)
    for instrument in _definitions(study_code):
        code = instrument.code
        items[code].update(instrument.item_codes())
        scores[code].update(instrument.score_names())  # listed scores and calculated items (stored as scores)
    return {code: InstrumentFields(frozenset(items[code]), frozenset(scores[code])) for code in items}


def _check_anchor_items(protocol: Protocol, filename: str, study_code: str) -> None:
    """An anchor set by a form item that is not a date item could never get its date: refuse the file.

    Checked on load, like the quality rules' items, so a stored version keeps reading after the library changes.
    """
    problems = check_anchor_items(protocol, _date_items(study_code), filename=filename)
    if problems:
        raise ProtocolError(problems)


def _date_items(study_code: str) -> dict[str, frozenset[str]]:
    """Date item codes of every instrument the study may name, over all versions."""
    dates: dict[str, set[str]] = defaultdict(set)
    for instrument in _definitions(study_code):
        dates[instrument.code].update(item.code for item in instrument.items if item.type == "date")
    return {code: frozenset(codes) for code, codes in dates.items()}


def _check_lengths(protocol: Protocol, filename: str) -> None:
    """Values longer than the column they are stored in (the study and site rows; visit codes and activity keys in
    other apps' rows) would fail in the database; report them as file problems instead."""
    checks = [
        ("study.protocol_version", protocol.study.protocol_version, 40),
        ("study.participant_id_pattern", protocol.study.participant_id_pattern, 100),
        ("study.title.en", protocol.study.title.en, 300),
        ("study.title.zh", protocol.study.title.zh, 300),
        ("study.sponsor.en", protocol.study.sponsor.en, 300),
        ("study.sponsor.zh", protocol.study.sponsor.zh, 300),
    ]
    checks += [(f"sites[{i}].code", site.code, 16) for i, site in enumerate(protocol.sites)]
    checks += [(f"sites[{i}].name.en", site.name.en, 200) for i, site in enumerate(protocol.sites)]
    checks += [(f"sites[{i}].name.zh", site.name.zh, 200) for i, site in enumerate(protocol.sites)]
    for name, items in (("arms", protocol.arms), ("anchors", protocol.anchors), ("visits", protocol.visits)):
        checks += [(f"{name}[{i}].code", item.code, 40) for i, item in enumerate(items)]
    for i, visit in enumerate(protocol.visits):
        checks += [(f"visits[{i}].activities.{a.kind}s.key", a.key, 60) for a in visit.activities]
    checks += [(f"eligibility.{c.kind}.code", c.code, 60) for c in protocol.eligibility.criteria]
    problems = [
        Problem.of(
            filename,
            path,
            gettext_noop("'%(value)s…' is longer than %(limit)s characters"),
            value=value[:20],
            limit=limit,
        )
        for path, value, limit in checks
        if value and len(value) > limit
    ]
    if problems:
        raise ProtocolError(problems)


def _current_version(study: Study | None) -> ProtocolVersion | None:
    if study is None:
        return None
    return ProtocolVersion.objects.filter(study=study, is_current=True).first()


def _check_version_is_new(study: Study | None, protocol: Protocol, filename: str, checksum: str) -> None:
    if study is None:
        return
    number = protocol.study.protocol_version
    same = ProtocolVersion.objects.filter(study=study, version=number).first()
    if same is not None and same.checksum == checksum:
        _refuse(
            filename,
            "study.protocol_version",
            gettext_noop(
                "this file is version %(number)s of study %(study)s, already loaded and since replaced "
                "by version %(current)s; to go back, load it as a new protocol_version"
            ),
            number=number,
            study=str(study),
            current=study.protocol_version,
        )
    if same is not None:
        _refuse(
            filename,
            "study.protocol_version",
            gettext_noop(
                "version %(number)s of study %(study)s is already loaded with different content; "
                "an amended file needs a new protocol_version"
            ),
            number=number,
            study=str(study),
        )
    loaded = _current_version(study)  # a study made by hand has no loaded file to be later than
    current = loaded.version if loaded is not None else ""
    if current and version_key(number) <= version_key(current):
        _refuse(
            filename,
            "study.protocol_version",
            gettext_noop(
                "version %(number)s is not later than version %(current)s, the current protocol of study "
                "%(study)s: an amendment needs a higher protocol_version"
            ),
            number=number,
            current=current,
            study=str(study),
        )


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """A protocol version as it sorts: every run of digits compares as a number ("1.10" after "1.9", "2.0" after
    "1.9.3"), a word after a number ("1.1b" after "1.1"), and trailing zeros do not count ("1.0" is "1")."""
    parts = re.findall(r"\d+|[^\d.\-_ ]+", version.strip().lower())
    key = tuple((0, int(part)) if part.isdigit() else (1, part) for part in parts)
    while key and key[-1] == (0, 0):  # "1.0" is the same version as "1"
        key = key[:-1]
    return key


def _previous(current: ProtocolVersion | None) -> Protocol | ProtocolError | None:
    """The current version parsed, or the error when it no longer reads (the instrument library changed)."""
    if current is None:
        return None
    try:
        return parse_protocol_text(current.text, filename=current.filename, study_code=current.study.code)
    except ProtocolError as exc:
        return exc


def _changes(current: ProtocolVersion | None, old: Protocol | ProtocolError | None, protocol: Protocol) -> list[str]:
    if current is None:
        return [
            f"study '{protocol.study.code}' version {protocol.study.protocol_version} loaded: "
            f"{len(protocol.sites)} sites, {len(protocol.arms)} arms, {len(protocol.visits)} visits, "
            f"{len(protocol.eligibility.criteria)} criteria"
        ]
    if isinstance(old, ProtocolError):
        # The stored file no longer reads (the instrument library changed since): load, but say so.
        return [f"version {current.version} could not be re-read for comparison: {problem}" for problem in old.problems]
    assert old is not None
    return [str(change) for change in diff_protocols(old, protocol)]


def _blinding_flag(
    existing: Study | None,
    current: ProtocolVersion | None,
    old: Protocol | ProtocolError | None,
    protocol: Protocol,
    *,
    filename: str,
    user,
    path: str,
) -> list[str]:
    """Refuse a blinding-relevant amendment of a blinded study by a user who may not AMEND_BLINDING; when it
    is allowed, the line that flags it (stored with the version's changes and so in its audit row)."""
    if existing is None or current is None or not is_blinded(existing):
        return []
    found = blinding_relevant_changes(old if isinstance(old, Protocol) else None, protocol, filename=filename)
    if not found:
        return []
    by_command = user is None and path == AuditEvent.Path.COMMAND
    if not by_command and (user is None or not can(user, existing, Action.AMEND_BLINDING)):
        raise ProtocolError(found)
    who = "the load_protocol command (server operator)" if by_command else f"{user.get_username()}"
    return [f"blinding-relevant amendment by {who}: " + ", ".join(problem.path for problem in found)]


def _upsert_rows(code: str, protocol: Protocol) -> Study:
    """The study row and one site row per site of the file, by code; a site dropped from the file is kept
    (participants point at it). Everything else of the protocol is read from the stored file, not from rows."""
    s = protocol.study
    values = dict(
        title=s.title.en,
        title_zh=s.title.zh,
        design=s.design,
        blinding=s.blinding,
        target_enrolment=s.target_enrolment or 0,  # 0: not set (the file gives none); pages say so
        registry=[{"registry": r.registry, "id": r.id} for r in s.registry],
        sponsor=s.sponsor.en,
        sponsor_zh=s.sponsor.zh,
        protocol_version=s.protocol_version,
        protocol_date=s.protocol_date,
        id_pattern=s.participant_id_pattern,
    )
    study, _ = Study.objects.update_or_create(code=code, defaults=values)
    for site in protocol.sites:
        Site.objects.update_or_create(
            study=study,
            code=site.code,
            defaults=dict(name=site.name.en, name_zh=site.name.zh, id_pattern=site.participant_id_pattern or ""),
        )
    return study
