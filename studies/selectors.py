from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.selectors import membership_for
from core.i18n import text_for

from .models import Site, Study
from .protocol.acquisitions import ACQUISITION_TYPES
from .protocol.schema import Activity, Anchor, Visit
from .protocol.specimens import BUILTIN_TYPES


def studies_for_user(user) -> QuerySet[Study]:
    """Studies in which ``user`` holds an active membership."""
    if not user.is_authenticated:
        return Study.objects.none()
    return Study.objects.filter(is_active=True, memberships__user=user, memberships__is_active=True).distinct()


def sites_for_user(user, study: Study) -> QuerySet[Site]:
    """The sites of ``study`` that ``user`` may see: all of them, or those of the membership."""
    membership = membership_for(user, study)
    if membership is None:
        return Site.objects.none()
    if membership.all_sites:
        return study.sites.all()
    return study.sites.filter(memberships=membership)


# Kinds of specimen and acquisition a protocol may name; extended as the biobank and imaging apps grow.
KNOWN_SPECIMENS = frozenset(BUILTIN_TYPES)  # studies.protocol.specimens; a protocol may declare more
KNOWN_ACQUISITIONS = frozenset(ACQUISITION_TYPES)  # studies.protocol.acquisitions


def parse_protocol_text(text: str, *, filename: str, study_code: str | None = None):
    """Parse a protocol file against the instrument library and, with ``study_code``, that study's own stored
    instruments (raises ProtocolError). Without it no query is made: library codes only."""
    from instruments.registry import instrument_codes

    from .protocol import parse_protocol

    return parse_protocol(
        text,
        filename=filename,
        known_instruments=instrument_codes(study=study_code),
        known_specimens=set(KNOWN_SPECIMENS),
        known_acquisitions=set(KNOWN_ACQUISITIONS),
    )


_parsed_cache: dict[str, object] = {}


def current_protocol(study: Study):
    """The parsed current protocol of ``study`` (a studies.protocol.Protocol), or None if none is loaded.

    Parsed once per process and file checksum: a protocol file is immutable once stored.
    """
    from .models import ProtocolVersion

    row = ProtocolVersion.objects.filter(study=study, is_current=True).only("checksum", "text", "filename").first()
    if row is None:
        return None
    if row.checksum not in _parsed_cache:
        _parsed_cache[row.checksum] = parse_protocol_text(row.text, filename=row.filename, study_code=study.code)
    return _parsed_cache[row.checksum]


# The kinds of activity as the schedule shows them (the protocol file writes the codes).
ACTIVITY_KIND_LABELS = {
    "instrument": _("Instrument"),
    "specimen": _("Specimen"),
    "acquisition": _("Acquisition"),
}


@dataclass(frozen=True)
class ScheduleRow:
    """One line of the schedule of activities: an activity key and, per visit, the activity or None."""

    key: str
    kind: str
    code: str
    label: str
    label_zh: str
    cells: tuple  # studies.protocol.Activity or None, one per visit


@dataclass(frozen=True)
class VisitRow:
    """A visit of the schedule with the anchor it hangs from (for the anchor's label)."""

    visit: Visit
    anchor: Anchor | None


def protocol_summary(study: Study) -> dict:
    """The current protocol of ``study`` for display: arms, anchors, visits, schedule grid and criteria.

    Read from the stored file (``current_protocol``): one query, whatever the length of the schedule.
    """
    protocol = current_protocol(study)
    if protocol is None:
        return {
            "arms": [],
            "anchors": [],
            "visits": [],
            "schedule": [],
            "unscheduled": [],
            "inclusion": [],
            "exclusion": [],
        }
    anchors = {anchor.code: anchor for anchor in protocol.anchors}
    planned = [visit for visit in protocol.visits if not visit.unscheduled]  # unscheduled ones have no day
    return {
        "arms": list(protocol.arms),
        "anchors": list(protocol.anchors),
        "visits": [VisitRow(visit, anchors.get(visit.anchor)) for visit in planned],
        "schedule": schedule_rows(planned, study_code=study.code),
        "unscheduled": [visit for visit in protocol.visits if visit.unscheduled],
        "inclusion": list(protocol.eligibility.inclusion),
        "exclusion": list(protocol.eligibility.exclusion),
    }


def schedule_rows(visits: Sequence[Visit], *, study_code: str | None = None) -> list[ScheduleRow]:
    """Activities in order of first appearance, each with one cell per visit."""
    by_visit = [{a.key: a for a in visit.activities} for visit in visits]
    keys: dict[str, Activity] = {}
    for activities in by_visit:
        for key, activity in activities.items():
            keys.setdefault(key, activity)
    rows = []
    for key, first in keys.items():
        label, label_zh = _activity_label(first, study_code)
        rows.append(
            ScheduleRow(
                key=key,
                kind=first.kind,
                code=first.code,
                label=label,
                label_zh=label_zh,
                cells=tuple(activities.get(key) for activities in by_visit),
            )
        )
    return rows


def _activity_label(activity: Activity, study_code: str | None) -> tuple[str, str]:
    from instruments.registry import get_instrument

    if activity.kind == "instrument":
        try:
            instrument = get_instrument(activity.code, study=study_code)
        except KeyError:
            return activity.code, activity.code
        title = instrument.short_title or instrument.title
        return title.en, title.zh
    return f"{ACTIVITY_KIND_LABELS.get(activity.kind, activity.kind)} · {activity.code}", ""


def protocol_versions(study: Study) -> QuerySet:
    from .models import ProtocolVersion

    return (
        ProtocolVersion.objects.filter(study=study)
        .select_related("loaded_by")
        .defer("text")
        .order_by("-loaded_at", "-pk")
    )


def protocol_activity(study, *, visit_code: str, activity_key: str):
    """(visit, activity) of the study's current protocol for an instrument activity, or None."""
    protocol = current_protocol(study)
    if protocol is None:
        return None
    for visit in protocol.visits:
        if visit.code != visit_code:
            continue
        for activity in visit.activities:
            if activity.kind == "instrument" and activity.key == activity_key:
                return visit, activity
    return None


def protocol_at_version(study, version: str):
    """The parsed protocol ``version`` of ``study`` (the one a visit was done under), or None if none is stored."""
    from .models import ProtocolVersion

    row = ProtocolVersion.objects.filter(study=study, version=version).only("checksum", "text", "filename").first()
    if row is None:
        return None
    if row.checksum not in _parsed_cache:
        _parsed_cache[row.checksum] = parse_protocol_text(row.text, filename=row.filename)
    return _parsed_cache[row.checksum]


def study_by_code(code: str) -> Study | None:
    """The study of that code, active or not (for loading files by code: a command, the server admin's page)."""
    return Study.objects.filter(code=code).first()


def activity_title(protocol, activity: Activity) -> str:
    """A scheduled specimen's or acquisition's name in the viewer's language (an instrument's title is
    participants.selectors.instrument_title); its code when the protocol does not name it."""
    if activity.kind == "specimen":
        biobank = getattr(protocol, "biobank", None)
        try:
            kind = biobank.specimen_type(activity.code) if biobank is not None else BUILTIN_TYPES[activity.code]
        except KeyError:
            return activity.code
        return text_for(kind.label) or activity.code
    if activity.kind == "acquisition" and activity.code in ACQUISITION_TYPES:
        return text_for(ACQUISITION_TYPES[activity.code])
    return activity.code


# Who answers a form, when it is not the participant: tells apart two activities of one instrument (PHQ-9 and the
# family member's PHQ-9) wherever they are listed by title.
RESPONDENT_NAMES = {"family": _("family member"), "clinician": _("clinician"), "coordinator": _("coordinator")}


def with_respondent(title: str, activity: Activity) -> str:
    respondent = RESPONDENT_NAMES.get(activity.respondent or "")
    return f"{title} ({respondent})" if respondent else title
