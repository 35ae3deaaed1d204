"""parse_protocol: YAML text -> Protocol, or ProtocolError listing every problem found."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from . import checks, limits
from .anchor_events import check_anchor_events, read_set_by
from .languages import read_languages
from .outcomes import check_outcome_references, read_analysis_visits, read_discontinuation, read_intervention
from .parse_eligibility import read_eligibility, read_rules
from .quality import check_quality_visits, read_quality_rules
from .reader import ProtocolError, Reader, gettext_noop, join, suggestion
from .schema import (
    BLINDED_SCHEDULES,
    BLINDINGS,
    DESIGNS,
    RESPONDENTS,
    Activity,
    Anchor,
    Arm,
    ExpectedDate,
    Protocol,
    RegistryEntry,
    Repeating,
    Site,
    Study,
    Visit,
)
from .sdv import SdvPlan, read_sdv
from .series_rules import read_series_rules
from .specimens import Biobank, read_biobank

STUDY_KEYS = (
    "code",
    "title",
    "sponsor",
    "design",
    "protocol_version",
    "protocol_date",
    "participant_id_pattern",
)
VISIT_KEYS = ("code", "label", "anchor", "offset_days", "window_before", "window_after")
ACTIVITY_OPTIONAL = {
    "instrument": ("version", "key", "respondent", "arms", "notes"),
    "specimen": ("key", "arms", "notes"),
    "acquisition": ("key", "series", "arms", "notes"),
}
# (kind, has a suggestion) -> template: whole sentences, so a translator never assembles one from parts.
UNKNOWN_CODE = {
    ("instrument", False): gettext_noop("unknown instrument '%(code)s'"),
    ("instrument", True): gettext_noop("unknown instrument '%(code)s' (did you mean '%(suggestion)s'?)"),
    ("specimen", False): gettext_noop("unknown specimen '%(code)s'"),
    ("specimen", True): gettext_noop("unknown specimen '%(code)s' (did you mean '%(suggestion)s'?)"),
    ("acquisition", False): gettext_noop("unknown acquisition '%(code)s'"),
    ("acquisition", True): gettext_noop("unknown acquisition '%(code)s' (did you mean '%(suggestion)s'?)"),
}


@dataclass(frozen=True)
class Known:
    """Codes defined outside the protocol file that activities may refer to."""

    instruments: frozenset[str]
    specimens: frozenset[str]
    acquisitions: frozenset[str]

    def of(self, kind: str) -> frozenset[str]:
        return {"instrument": self.instruments, "specimen": self.specimens, "acquisition": self.acquisitions}[kind]


@dataclass
class Parsed:
    """What was read so far, each item with its key path so later checks can point at it."""

    study: Study | None = None
    sites: list[tuple[str, Site]] = field(default_factory=list)
    arms: list[tuple[str, Arm]] = field(default_factory=list)
    anchors: list[tuple[str, Anchor]] = field(default_factory=list)
    visits: list[tuple[str, Visit]] = field(default_factory=list)
    eligibility: Any = None
    rules: list = field(default_factory=list)
    quality_rules: list = field(default_factory=list)
    series_rules: list = field(default_factory=list)
    sdv: SdvPlan = field(default_factory=SdvPlan)
    discontinuation: list = field(default_factory=list)
    analysis_visits: tuple[str, ...] = ()
    biobank: Biobank = field(default_factory=Biobank)


def parse_protocol(
    text: str, *, filename: str, known_instruments: set[str], known_specimens: set[str], known_acquisitions: set[str]
) -> Protocol:
    known = Known(frozenset(known_instruments), frozenset(known_specimens), frozenset(known_acquisitions))
    reader = Reader(filename)
    data = reader.load(text)
    if data is None and not reader.problems:
        reader.add("", gettext_noop("the file is empty"))
    if reader.problems:
        raise ProtocolError(reader.problems)
    parsed = _read_document(reader, data, known)
    checks.check_references(reader, parsed)
    check_anchor_events(reader, parsed)
    check_outcome_references(reader, parsed)
    check_quality_visits(reader, parsed.quality_rules, {v.code for _, v in parsed.visits})
    if reader.problems:
        raise ProtocolError(reader.problems)
    return Protocol(
        study=parsed.study,
        sites=_values(parsed.sites),
        arms=_values(parsed.arms),
        anchors=_values(parsed.anchors),
        visits=_values(parsed.visits),
        eligibility=parsed.eligibility,
        rules=tuple(r for _, r in parsed.rules),
        quality_rules=_values(parsed.quality_rules),
        series_rules=_values(parsed.series_rules),
        sdv=parsed.sdv,
        discontinuation=_values(parsed.discontinuation),
        analysis_visits=parsed.analysis_visits,
        biobank=parsed.biobank,
    )


def _values(pairs: list[tuple[str, Any]]) -> tuple:
    return tuple(value for _, value in pairs)


def _read_document(r: Reader, data: Any, known: Known) -> Parsed:
    parsed = Parsed()
    optional = ("format", "arms", "eligibility", "rules", "quality_rules", "series_rules")
    optional += ("discontinuation", "analysis_visits")  # studies.protocol.outcomes
    optional += ("biobank",)  # studies.protocol.specimens
    optional += ("sdv",)  # studies.protocol.sdv: targeted source data verification
    if r.mapping(data, "", ("study", "sites", "anchors", "visits"), optional) is None:
        return parsed
    if data.get("format", 1) != 1:
        r.add(
            "format",
            gettext_noop("unsupported format %(format)s; this server reads format 1"),
            format=repr(data["format"]),
        )
    parsed.study = _read_study(r, data.get("study"))
    parsed.sites = _read_list(r, data, "sites", _read_site, limits.MAX_SITES)
    parsed.arms = _read_list(r, data, "arms", _read_arm, limits.MAX_ARMS)
    parsed.anchors = _read_list(r, data, "anchors", _read_anchor, limits.MAX_ANCHORS)
    parsed.biobank = read_biobank(r, data.get("biobank"))  # its own specimen types join the known ones
    known = replace(known, specimens=known.specimens | {t.code for t in parsed.biobank.types})
    parsed.visits = _read_list(r, data, "visits", lambda r_, d, p: _read_visit(r_, d, p, known), limits.MAX_VISITS)
    parsed.eligibility = read_eligibility(r, data.get("eligibility"), "eligibility")
    parsed.rules = read_rules(r, data, known)
    parsed.quality_rules = read_quality_rules(r, data, known)
    parsed.series_rules = read_series_rules(r, data)
    parsed.sdv = read_sdv(r, data, known.instruments, {v.code for _, v in parsed.visits})
    parsed.discontinuation = read_discontinuation(r, data, known.instruments)
    parsed.analysis_visits = read_analysis_visits(r, data)
    return parsed


def _read_list(r: Reader, data: dict, key: str, read, limit: int) -> list[tuple[str, Any]]:
    out = []
    for path, item in r.items(data, key, "", limit):
        value = read(r, item, path)
        if value is not None:
            out.append((path, value))
    return out


def _read_study(r: Reader, data: Any) -> Study | None:
    optional = ("registry", "blinding", "blinded_schedule", "target_enrolment", "languages")
    if r.mapping(data, "study", STUDY_KEYS, optional) is None:
        return None
    r.languages = read_languages(r, data, "study")  # before any label: every label is checked against it
    registry = []
    for path, item in r.items(data, "registry", "study", limits.MAX_SITES):
        if r.mapping(item, path, ("registry", "id")) is not None:
            registry.append(RegistryEntry(r.string(item, "registry", path), r.string(item, "id", path)))
    values = dict(
        code=r.string(data, "code", "study"),
        title=r.text(data, "title", "study"),
        registry=tuple(registry),
        sponsor=r.text(data, "sponsor", "study"),
        design=r.choice(data, "design", "study", DESIGNS),
        blinding=r.choice(data, "blinding", "study", BLINDINGS, default="none"),
        protocol_version=r.string(data, "protocol_version", "study"),
        protocol_date=r.date(data, "protocol_date", "study"),
        participant_id_pattern=r.string(data, "participant_id_pattern", "study"),
    )
    target = r.integer(data, "target_enrolment", "study", minimum=1)  # optional: None when absent
    if None in values.values():
        return None
    return Study(
        **values,
        target_enrolment=target,
        blinded_schedule=r.choice(data, "blinded_schedule", "study", BLINDED_SCHEDULES),
        languages=r.languages,
    )


def _read_site(r: Reader, data: Any, path: str) -> Site | None:
    if r.mapping(data, path, ("code", "name"), ("participant_id_pattern",)) is None:
        return None
    code, name = r.string(data, "code", path), r.text(data, "name", path)
    if code is None or name is None:
        return None
    return Site(code, name, r.string(data, "participant_id_pattern", path))


def _read_arm(r: Reader, data: Any, path: str) -> Arm | None:
    if r.mapping(data, path, ("code", "name"), ("ratio", "intervention")) is None:
        return None
    code, name = r.string(data, "code", path), r.text(data, "name", path)
    if code is None or name is None:
        return None
    return Arm(code, name, r.integer(data, "ratio", path, minimum=1), read_intervention(r, data, path))


def _read_anchor(r: Reader, data: Any, path: str) -> Anchor | None:
    if r.mapping(data, path, ("code", "label"), ("optional", "expected", "set_by")) is None:
        return None
    code, label = r.string(data, "code", path), r.text(data, "label", path)
    expected = None
    if "expected" in data:
        here = join(path, "expected")
        ref = data["expected"]
        if r.mapping(ref, here, ("anchor", "offset_days")) is not None:
            other, days = r.string(ref, "anchor", here), _offset(r, ref, "offset_days", here)
            expected = ExpectedDate(other, days) if other is not None and days is not None else None
    if code is None or label is None:
        return None
    return Anchor(code, label, r.boolean(data, "optional", path), expected, read_set_by(r, data, path))


def _read_visit(r: Reader, data: Any, path: str, known: Known) -> Visit | None:
    if isinstance(data, dict) and data.get("unscheduled") is True:
        return _read_unscheduled_visit(r, data, path, known)
    optional = ("arms", "repeating", "activities", "unscheduled", "survey_grace_days")
    if r.mapping(data, path, VISIT_KEYS, optional) is None:
        return None
    values = dict(
        code=r.string(data, "code", path),
        label=r.text(data, "label", path),
        anchor=r.string(data, "anchor", path),
        offset_days=_offset(r, data, "offset_days", path),
        window_before=_window(r, data, "window_before", path),
        window_after=_window(r, data, "window_after", path),
    )
    repeating = None
    if "repeating" in data:
        repeating = _read_repeating(r, data["repeating"], join(path, "repeating"))
    activities = _read_activities(r, data.get("activities", {}), join(path, "activities"), known)
    grace = _window(r, data, "survey_grace_days", path) if "survey_grace_days" in data else 0
    if None in values.values() or grace is None:
        return None
    return Visit(
        **values,
        arms=r.strings(data, "arms", path),
        repeating=repeating,
        activities=activities,
        survey_grace_days=grace,
    )


UNSCHEDULED_HAS_NO = gettext_noop("an unscheduled visit is done when needed, on any date: it has no '%(key)s'")


def _read_unscheduled_visit(r: Reader, data: dict, path: str, known: Known) -> Visit | None:
    """``unscheduled: true``: a visit done when needed, on any date; an anchor, offset, window or repeat is
    refused at its key path, since none of them would mean anything."""
    for key in (*VISIT_KEYS[2:], "repeating", "survey_grace_days"):
        if key in data:
            r.add(join(path, key), UNSCHEDULED_HAS_NO, key=key)
    dropped = (*VISIT_KEYS[2:], "repeating", "survey_grace_days")
    data = {key: value for key, value in data.items() if key not in dropped}
    if r.mapping(data, path, ("code", "label", "unscheduled"), ("arms", "activities")) is None:
        return None
    code, label = r.string(data, "code", path), r.text(data, "label", path)
    activities = _read_activities(r, data.get("activities", {}), join(path, "activities"), known)
    if code is None or label is None:
        return None
    return Visit(code, label, "", 0, 0, 0, arms=r.strings(data, "arms", path), activities=activities, unscheduled=True)


def _offset(r: Reader, data: dict, key: str, path: str) -> int | None:
    return r.integer(data, key, path, minimum=-limits.MAX_OFFSET_DAYS, maximum=limits.MAX_OFFSET_DAYS)


def _window(r: Reader, data: dict, key: str, path: str) -> int | None:
    value = r.integer(data, key, path, maximum=limits.MAX_WINDOW_DAYS)
    if value is not None and value < 0:
        r.add(
            join(path, key),
            gettext_noop("a window is a number of days and cannot be negative (got %(value)s)"),
            value=value,
        )
        return None
    return value


def _read_repeating(r: Reader, data: Any, path: str) -> Repeating | None:
    if r.mapping(data, path, ("every_days", "count")) is None:
        return None
    every = r.integer(data, "every_days", path, minimum=1, maximum=limits.MAX_OFFSET_DAYS)
    count = r.integer(data, "count", path, minimum=1, maximum=limits.MAX_REPEAT_COUNT)
    return Repeating(every, count) if every is not None and count is not None else None


def _read_activities(r: Reader, data: Any, path: str, known: Known) -> tuple[Activity, ...]:
    if r.mapping(data, path, (), ("instruments", "specimens", "acquisitions")) is None:
        return ()
    out: list[Activity] = []
    count = sum(len(v) for v in data.values() if isinstance(v, list))
    if count > limits.MAX_ACTIVITIES:
        r.add(
            path,
            gettext_noop("at most %(limit)s activities are accepted at one visit, got %(count)s"),
            limit=limits.MAX_ACTIVITIES,
            count=count,
        )
        return ()
    for kind in ("instrument", "specimen", "acquisition"):
        key = kind + "s"
        for item_path, item in r.items(data, key, path):
            activity = _read_activity(r, item, item_path, kind, known)
            if activity is None:
                continue
            if any(a.key == activity.key for a in out):
                r.add(
                    item_path,
                    gettext_noop("activity key '%(key)s' is used twice at this visit; set `key`"),
                    key=activity.key,
                )
            out.append(activity)
    return tuple(out)


def _read_activity(r: Reader, data: Any, path: str, kind: str, known: Known) -> Activity | None:
    code_key = "code" if kind == "instrument" else "type"
    if isinstance(data, str):
        data = {code_key: data}
    if r.mapping(data, path, (code_key,), ACTIVITY_OPTIONAL[kind]) is None:
        return None
    code = r.string(data, code_key, path)
    if code is None:
        return None
    if code not in known.of(kind):
        close = suggestion(code, sorted(known.of(kind)))
        r.add(join(path, code_key), UNKNOWN_CODE[kind, bool(close)], code=code, suggestion=close)
        return None
    return Activity(
        kind=kind,
        code=code,
        key=r.string(data, "key", path, default=code),
        version=r.string(data, "version", path),
        respondent=r.choice(data, "respondent", path, RESPONDENTS),
        arms=r.strings(data, "arms", path),
        series=r.strings(data, "series", path),
        notes=r.text(data, "notes", path),
    )
