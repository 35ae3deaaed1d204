"""Reads for adverse events and SAE reports, always starting from the participants the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from core.i18n import text_for
from instruments.models import Response
from instruments.registry import get_instrument
from participants.models import Visit
from participants.selectors import participants_for_user
from randomisation.selectors import arm_labels
from studies.selectors import current_protocol

from . import deadlines
from .models import AdverseEvent, SaeReport, SafetyNotification

AE_INSTRUMENT = "ae_record"
GRADES = (1, 2, 3, 4, 5)
CLOCK_STYLES = {
    deadlines.REPORTED: "success",
    deadlines.LATE: "warning",
    deadlines.OVERDUE: "danger",
    deadlines.DUE_SOON_STATE: "warning",
    deadlines.OPEN: "info",
}


def adverse_events_for_user(user) -> QuerySet[AdverseEvent]:
    return AdverseEvent.objects.filter(participant__in=participants_for_user(user)).select_related(
        "participant", "participant__study", "participant__site", "response"
    )


def participant_adverse_events(participant) -> QuerySet[AdverseEvent]:
    return (
        AdverseEvent.objects.filter(participant=participant)
        .select_related("response")
        .prefetch_related("reports")
        .order_by("onset", "pk")
    )


def option_labels(item_code: str) -> dict[int, str]:
    """Option code -> label in the current language, from the ``ae_record`` definition."""
    instrument = get_instrument(AE_INSTRUMENT)
    item = next(one for one in instrument.items if one.code == item_code)
    return {option.code: text_for(option.label) for option in item.options}


@dataclass(frozen=True)
class Clock:
    report: SaeReport
    state: str

    @property
    def style(self) -> str:
        return CLOCK_STYLES[self.state]


def clocks(reports, now: dt.datetime) -> list[Clock]:
    return [Clock(report, deadlines.clock_state(report.due_at, report.reported_at, now)) for report in reports]


@dataclass(frozen=True)
class SaeStatus:
    """A serious event's reporting clocks and the addresses told of it when it was recorded."""

    clocks: list[Clock]
    notified: list[str]

    @property
    def overdue(self) -> list[Clock]:
        return [clock for clock in self.clocks if clock.state == deadlines.OVERDUE]


def sae_status(response, now: dt.datetime | None = None) -> SaeStatus | None:
    """The SAE of a saved ``ae_record`` response (None when it is not serious): what to tell whoever saved it."""
    event = (
        AdverseEvent.objects.filter(response=response).prefetch_related("reports", "notifications").first()
        if response is not None and response.instrument_code == AE_INSTRUMENT
        else None
    )
    reports = list(event.reports.all()) if event is not None else []
    if not reports:
        return None
    recorded = SafetyNotification.Kind.SAE_RECORDED
    notified = sorted({to for note in event.notifications.all() if note.kind == recorded for to in note.recipients})
    return SaeStatus(clocks(reports, now or timezone.now()), notified)


def open_sae_reports(user, study) -> QuerySet[SaeReport]:
    """Unreported deadlines of serious events at the user's sites, soonest first."""
    return (
        SaeReport.objects.filter(
            adverse_event__in=adverse_events_for_user(user).filter(participant__study=study),
            adverse_event__serious=True,
            reported_at__isnull=True,
        )
        .select_related("adverse_event", "adverse_event__participant", "adverse_event__participant__site")
        .order_by("due_at", "recipient")
    )


def ae_counts(user, study) -> list[dict]:
    """Per site of the user's: AE counts by grade (and ungraded), serious ones, and the total."""
    rows = (
        adverse_events_for_user(user)
        .filter(participant__study=study)
        .values("participant__site__code", "grade")
        .annotate(total=Count("pk"), serious=Count("pk", filter=Q(serious=True)))
        .order_by("participant__site__code")
    )
    sites: dict[str, dict] = {}
    for row in rows:
        site = sites.setdefault(
            row["participant__site__code"],
            {
                "site": row["participant__site__code"],
                "grades": dict.fromkeys((*GRADES, None), 0),
                "serious": 0,
                "total": 0,
            },
        )
        grade = row["grade"] if row["grade"] in GRADES else None
        site["grades"][grade] += row["total"]
        site["serious"] += row["serious"]
        site["total"] += row["total"]
    for site in sites.values():
        site["grade_counts"] = [site["grades"][grade] for grade in (*GRADES, None)]
    return list(sites.values())


def dsmb_rows(user, study, *, start: dt.date, end: dt.date) -> list[dict]:
    """Every AE of the user's sites with onset in [start, end) (or, with no onset, recorded then), with the
    allocation the user may see (arm or randomisation number: randomisation.selectors.arm_labels)."""
    zone = timezone.get_current_timezone()
    first = dt.datetime.combine(start, dt.time(), tzinfo=zone)
    last = dt.datetime.combine(end, dt.time(), tzinfo=zone)
    events = list(
        adverse_events_for_user(user)
        .filter(participant__study=study)
        .filter(Q(onset__gte=start, onset__lt=end) | Q(onset__isnull=True, created_at__gte=first, created_at__lt=last))
        .order_by("participant__site__code", "participant__identifier", "onset", "pk")
    )
    labels = arm_labels(user, study, {event.participant for event in events})
    return [{"event": event, "allocation": labels.get(event.participant_id, "")} for event in events]


def next_ae_entry(participant, *, today: dt.date) -> tuple[str, str, int] | None:
    """(visit code, activity key, instance) of a new ``ae_record`` entry at the participant's current visit:
    the latest visit with an AE form whose window has opened (else the first with one), next free instance."""
    protocol = current_protocol(participant.study)
    if protocol is None:
        return None
    keys = {
        visit.code: activity.key
        for visit in protocol.visits
        for activity in visit.activities
        if activity.kind == "instrument" and activity.code == AE_INSTRUMENT
    }
    if not keys:
        return None
    visits = Visit.objects.filter(participant=participant, visit_code__in=keys, cancelled=False)
    current = visits.filter(window_start__lte=today).order_by("-window_start", "-sequence").first()
    current = current or visits.order_by("window_start").first()
    visit_code = current.visit_code if current else next(iter(keys))
    activity_key = keys[visit_code]
    last = Response.objects.filter(participant=participant, visit_code=visit_code, activity_key=activity_key).aggregate(
        last=Max("instance")
    )["last"]
    return visit_code, activity_key, (last or 0) + 1
