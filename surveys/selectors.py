"""Reads of the surveys app: the self-report forms a link opens, its window, the links of a visit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from core.i18n import text_for
from instruments.models import Response
from instruments.registry import instrument_for
from participants.models import Participant
from participants.selectors import participant_anchors
from studies.protocol.entry import entry_refusal
from studies.selectors import current_protocol

from . import windows
from .models import DiaryDay, PageTiming, SurveyAccess, SurveyLink

# The protocol's (or the definition's) respondent that makes a form one the participant fills in.
SELF_REPORT = "participant"


@dataclass
class DiaryEntryDay:
    day: date
    instance: int
    entered: bool = False
    late: bool = False
    may_enter: bool = False


@dataclass
class SurveyPage:
    """One self-report form of the link's visit; a repeating form is a diary with one entry per day."""

    activity_key: str
    instrument: object
    title: str
    response: Response | None = None
    diary: list[DiaryEntryDay] = field(default_factory=list)

    @property
    def is_diary(self) -> bool:
        return bool(self.instrument.repeating)

    @property
    def complete(self) -> bool:
        if self.is_diary:
            return all(day.entered for day in self.diary)
        return self.response is not None and self.response.status == Response.Status.COMPLETE

    @property
    def started(self) -> bool:
        return self.response is not None


def visit_definition(link: SurveyLink):
    """The protocol visit of the link's visit occurrence, or None when the current protocol has none."""
    protocol = current_protocol(link.participant.study)
    if protocol is None:
        return None
    return next((visit for visit in protocol.visits if visit.code == link.visit.visit_code), None)


def link_window(link: SurveyLink) -> windows.Window:
    definition = visit_definition(link)
    grace = definition.survey_grace_days if definition is not None else 0
    return windows.survey_window(link.visit.window_start, link.visit.window_end, grace)


def _self_report(link: SurveyLink, activity, protocol, anchors) -> object | None:
    """The instrument of an activity the participant fills in and is scheduled for, else None. The schedule rule
    is ``participants.selectors.scheduled_activity``'s (``entry_refusal``), with the anchors read once."""
    if activity.kind != "instrument":
        return None
    try:
        instrument = instrument_for(link.participant, activity.code, activity.version)
    except KeyError:
        return None
    if (activity.respondent or instrument.respondent) != SELF_REPORT:
        return None
    refusal = entry_refusal(
        protocol,
        arm_code=link.participant.arm_code or None,
        anchors=anchors,
        visit_code=link.visit.visit_code,
        activity_key=activity.key,
    )
    return instrument if refusal is None else None


def survey_pages(link: SurveyLink, *, today: date | None = None) -> list[SurveyPage]:
    """The self-report forms due at the link's visit, in the protocol's order, with their stored responses
    (one query) and, for a diary, its days (one query)."""
    protocol = current_protocol(link.participant.study)
    definition = visit_definition(link)
    if definition is None:
        return []
    anchors = participant_anchors(link.participant)
    today = today or timezone.localdate()
    visit_code = link.visit.visit_code
    stored = {
        (one.activity_key, one.instance): one
        for one in Response.objects.filter(participant=link.participant, visit_code=visit_code)
    }
    entered = {
        (one.activity_key, one.day): one
        for one in DiaryDay.objects.filter(participant=link.participant, visit_code=visit_code)
    }
    window = link_window(link)
    pages = []
    for activity in definition.activities:
        instrument = _self_report(link, activity, protocol, anchors)
        if instrument is None:
            continue
        page = SurveyPage(activity.key, instrument, text_for(instrument.title), stored.get((activity.key, 1)))
        if instrument.repeating:
            page.diary = _diary(link, activity.key, entered, window, today)
        pages.append(page)
    return pages


def _diary(link, activity_key: str, entered: dict, window: windows.Window, today: date) -> list[DiaryEntryDay]:
    days = []
    for day in windows.diary_days(link.visit.window_start, link.visit.window_end):
        row = entered.get((activity_key, day))
        days.append(
            DiaryEntryDay(
                day=day,
                instance=windows.diary_instance(link.visit.window_start, day),
                entered=row is not None,
                late=bool(row and row.late),
                may_enter=row is None and windows.diary_day_open(day, window, today),
            )
        )
    return days


def link_is_spent(link: SurveyLink, pages: list[SurveyPage]) -> bool:
    """Submitted, with no diary day left to enter: the link opens nothing any more."""
    if link.submitted_at is None:
        return False
    return not any(day.may_enter for page in pages for day in page.diary)


def questionnaires(pages: list[SurveyPage]) -> list[SurveyPage]:
    """The pages submitted together at the end (every form but the diaries, which are entered day by day)."""
    return [page for page in pages if not page.is_diary]


def progress(pages: list[SurveyPage]) -> tuple[int, int]:
    """(done, total) of the questionnaires and diary days."""
    done = total = 0
    for page in pages:
        if page.is_diary:
            total += len(page.diary)
            done += sum(day.entered for day in page.diary)
        else:
            total += 1
            done += page.complete
    return done, total


def links_of_visit(participant: Participant, visit) -> QuerySet[SurveyLink]:
    return SurveyLink.objects.filter(participant=participant, visit=visit).select_related("created_by", "revoked_by")


def accesses_of(links, *, limit: int = 20) -> QuerySet[SurveyAccess]:
    """The latest requests made with these links (refused tokens match no link and are not listed)."""
    return SurveyAccess.objects.filter(link__in=links).order_by("-at", "-pk")[:limit]


def timings_of(link: SurveyLink) -> QuerySet[PageTiming]:
    return PageTiming.objects.filter(link=link).order_by("activity_key", "instance")
