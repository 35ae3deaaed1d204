from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from accounts.selectors import membership_for

from .models import Site, Study


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
KNOWN_SPECIMENS = frozenset({"blood", "stool", "adipose_tissue", "urine", "saliva"})
KNOWN_ACQUISITIONS = frozenset({"mri", "psg", "hrv", "emg", "qst"})


def parse_protocol_text(text: str, *, filename: str):
    """Parse a protocol file against the installed instrument library (raises ProtocolError)."""
    from instruments.registry import instrument_codes

    from .protocol import parse_protocol

    return parse_protocol(
        text,
        filename=filename,
        known_instruments=instrument_codes(),
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
        _parsed_cache[row.checksum] = parse_protocol_text(row.text, filename=row.filename)
    return _parsed_cache[row.checksum]


@dataclass(frozen=True)
class ScheduleRow:
    """One line of the schedule of activities: an activity key and, per visit, the activity or None."""

    key: str
    kind: str
    code: str
    label: str
    label_zh: str
    cells: tuple


def protocol_summary(study: Study) -> dict:
    """The loaded protocol of ``study`` as rows for display: arms, anchors, visits, grid and criteria."""
    from .models import Activity, Anchor, Arm, Criterion, VisitDefinition

    visits = list(
        VisitDefinition.objects.filter(study=study, is_active=True).prefetch_related(
            Prefetch("activities", queryset=Activity.objects.filter(is_active=True).order_by("order"))
        )
    )
    criteria = list(Criterion.objects.filter(study=study, is_active=True))
    anchors = list(Anchor.objects.filter(study=study, is_active=True))
    by_code = {anchor.code: anchor for anchor in anchors}
    for visit in visits:
        visit.anchor_row = by_code.get(visit.anchor)
    return {
        "arms": list(Arm.objects.filter(study=study, is_active=True)),
        "anchors": anchors,
        "visits": visits,
        "schedule": schedule_rows(visits),
        "inclusion": [c for c in criteria if c.kind == "inclusion"],
        "exclusion": [c for c in criteria if c.kind == "exclusion"],
    }


def schedule_rows(visits) -> list[ScheduleRow]:
    """Activities in order of first appearance, each with one cell per visit (visits need activities loaded)."""
    by_visit = [{a.key: a for a in visit.activities.all()} for visit in visits]
    keys: dict[str, object] = {}
    for activities in by_visit:
        for key, activity in activities.items():
            keys.setdefault(key, activity)
    rows = []
    for key, first in keys.items():
        label, label_zh = _activity_label(first)
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


def _activity_label(activity) -> tuple[str, str]:
    from instruments.registry import get_instrument

    if activity.kind == "instrument":
        try:
            instrument = get_instrument(activity.code)
        except KeyError:
            return activity.code, activity.code
        title = instrument.short_title or instrument.title
        return title.en, title.zh
    return activity.get_kind_display() + " · " + activity.code, ""


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
