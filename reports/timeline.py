"""One participant's history on one page: visits, forms, specimens, recordings, adverse events, queries and the
protocol amendments that moved their dates, newest first; and their own score over visits for each outcome.

Seven queries whatever the participant's history (tests/reports/test_timeline.py counts them): one per kind of
thing, never one per row. The page is for whoever may open the participant's page (participants.access); nothing
here names an arm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from biobank.models import Specimen
from core.i18n import in_viewer_language, text_for
from imaging.models import DataFile
from instruments.models import Response
from participants.selectors import instrument_title
from participants.services import WHY_AMENDMENT
from queries.selectors import participant_queries
from safety.models import AdverseEvent
from studies.selectors import current_protocol

from . import dashboard_charts as charts
from .outcomes import OUTCOMES

# The reason participants.services records on each visit an amendment moved; its English half, up to the version.
AMENDMENT_REASON = WHY_AMENDMENT.split("%s")[0].strip()


@dataclass(frozen=True)
class Happening:
    at: datetime
    kind: str  # visit, missed, form, specimen, recording, adverse_event, query, amendment
    icon: str  # a Bootstrap icon name
    title: str
    detail: str = ""  # recorded text (an AE's term, a query's message): shown as entered
    url: str = ""


@dataclass(frozen=True)
class Trajectory:
    key: str
    title: str
    chart: charts.Chart
    rows: list[tuple[str, float]]


def _moment(day: date | datetime | None) -> datetime | None:
    if day is None:
        return None
    if isinstance(day, datetime):
        return timezone.localtime(day) if timezone.is_aware(day) else day
    return timezone.make_aware(datetime.combine(day, time(12)))


def _visit_labels(participant) -> dict[str, str]:
    protocol = current_protocol(participant.study)
    return {v.code: text_for(v.label) for v in (protocol.visits if protocol else ())}


def _visits(participant, labels: dict) -> list[Happening]:
    found = []
    for visit in participant.visits.filter(cancelled=False).filter(Q(missed=True) | Q(completed_on__isnull=False)):
        name = labels.get(visit.visit_code, visit.visit_code)
        url = reverse("participants:visit-detail", args=[participant.pk, visit.pk])
        if visit.completed_on:
            text = _("Visit done: %(visit)s") % {"visit": name}
            found.append(Happening(_moment(visit.completed_on), "visit", "calendar-check", text, url=url))
        else:
            text = _("Visit missed: %(visit)s") % {"visit": name}
            found.append(Happening(_moment(visit.window_end), "missed", "calendar-x", text, url=url))
    return found


def _forms(responses: list[dict], participant, labels: dict) -> list[Happening]:
    found = []
    for row in responses:
        title = instrument_title(participant, row["instrument_code"])
        visit = labels.get(row["visit_code"], row["visit_code"])
        url = reverse("workflows:response-edit", args=[participant.pk, row["visit_code"], row["activity_key"]])
        text = _("%(form)s completed (%(visit)s)") % {"form": title, "visit": visit}
        found.append(Happening(_moment(row["completed_at"]), "form", "ui-checks", text, url=url))
    return found


def _specimens(participant) -> list[Happening]:
    rows = Specimen.objects.filter(participant=participant, parent=None).exclude(collected_at=None)
    return [
        Happening(
            _moment(s.collected_at),
            "specimen",
            "droplet",
            _("Specimen collected: %(specimen)s") % {"specimen": s.label_id},
            url=reverse("biobank:specimen-detail", args=[s.pk]),
        )
        for s in rows.only("pk", "label_id", "collected_at")
    ]


def _recordings(participant) -> list[Happening]:
    rows = DataFile.objects.filter(participant=participant).only("kind", "recorded_at", "uploaded_at", "visit_code")
    return [
        Happening(
            _moment(f.recorded_at or f.uploaded_at),
            "recording",
            "activity",
            _("%(kind)s recorded") % {"kind": f.get_kind_display()},
        )
        for f in rows
    ]


def _adverse_events(participant) -> list[Happening]:
    found = []
    for ae in AdverseEvent.objects.filter(participant=participant).exclude(onset=None):
        title = _("Serious adverse event began") if ae.serious else _("Adverse event began")
        url = reverse("safety:adverseevent-list", args=[participant.pk])
        found.append(Happening(_moment(ae.onset), "adverse_event", "exclamation-triangle", title, ae.term, url))
    return found


def _queries(participant) -> list[Happening]:
    return [
        Happening(
            _moment(q.raised_at),
            "query",
            "chat-left-dots",
            _("Query raised (%(status)s)") % {"status": q.get_status_display()},
            in_viewer_language(q.text, q.text_zh),
            reverse("queries:query-detail", args=[q.pk]),
        )
        for q in participant_queries(participant)
    ]


def _amendments(participant) -> list[Happening]:
    events = AuditEvent.objects.filter(participant=participant, reason__startswith=AMENDMENT_REASON)
    seen, found = set(), []
    for at, reason in events.order_by("at").values_list("at", "reason"):
        if reason in seen:  # one line per amendment, however many visits it moved
            continue
        seen.add(reason)
        version = reason.removeprefix(AMENDMENT_REASON).split("/")[0].strip()
        text = _("Visit dates re-projected for protocol version %(version)s") % {"version": version}
        found.append(Happening(_moment(at), "amendment", "journal-arrow-up", text))
    return found


def _trajectories(responses: list[dict], labels: dict) -> list[Trajectory]:
    order = {code: i for i, code in enumerate(labels)}
    found = []
    for code, score, title in OUTCOMES:
        rows = [
            (labels.get(r["visit_code"], r["visit_code"]), float(r["scores"][score]))
            for r in sorted(responses, key=lambda r: order.get(r["visit_code"], len(order)))
            if r["instrument_code"] == code and isinstance(r["scores"].get(score), (int, float))
        ]
        if rows:
            found.append(Trajectory(f"{code}-{score}", str(title), charts.line_chart(rows), rows))
    return found


def participant_timeline(participant) -> dict:
    """The page's two parts: ``happenings`` (newest first) and ``trajectories`` (one per outcome with a score)."""
    labels = _visit_labels(participant)
    responses = list(
        Response.objects.filter(participant=participant, status=Response.Status.COMPLETE, instance=1)
        .exclude(completed_at=None)
        .values("instrument_code", "visit_code", "activity_key", "completed_at", "scores")
    )
    happenings = [
        *_visits(participant, labels),
        *_forms(responses, participant, labels),
        *_specimens(participant),
        *_recordings(participant),
        *_adverse_events(participant),
        *_queries(participant),
        *_amendments(participant),
    ]
    happenings.sort(key=lambda h: h.at, reverse=True)
    return {"happenings": happenings, "trajectories": _trajectories(responses, labels)}
