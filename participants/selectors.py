"""Reads for participants, always starting from what the user may see."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from core.i18n import text_for
from instruments.models import Response
from instruments.registry import instrument_for
from studies.protocol import activities_for, visit_status
from studies.protocol.entry import (
    ACTIVITY_ARM,
    ANCHOR_MISSING,
    NO_ACTIVITY,
    NO_ARM,
    NO_VISIT,
    NOT_ENROLLED,
    UNKNOWN,
    VISIT_ARM,
    entry_refusal,
)
from studies.selectors import activity_title, current_protocol, protocol_at_version, with_respondent

from .form_status import NOT_TRACKED, OPEN_QUERY_STATUSES, FormChip, form_status
from .models import CriterionEvent, Lock, Participant, Screening, Visit

CANCELLED = "cancelled"
WINDOW_REVIEW = "window_review"  # done inside its window, which a later anchor move took away (services.schedule)
STATUS_LABELS = {
    WINDOW_REVIEW: _("Done: window moved, to review"),
    "upcoming": _("Upcoming"),
    "open": _("Window open"),
    "overdue": _("Overdue"),
    "completed": _("Completed"),
    "missed": _("Missed"),
    "out_of_window": _("Done out of window"),
    CANCELLED: _("Cancelled"),
}
STATUS_STYLES = {
    WINDOW_REVIEW: "warning",
    "upcoming": "secondary",
    "open": "primary",
    "overdue": "danger",
    "completed": "success",
    "missed": "dark",
    "out_of_window": "warning",
    CANCELLED: "light",
}


def participants_for_user(user) -> QuerySet[Participant]:
    """Every participant ``user`` may see: members' studies, limited to their sites."""
    if not user.is_authenticated:
        return Participant.objects.none()
    memberships = Membership.objects.filter(user=user, is_active=True, study__is_active=True)
    whole_studies = memberships.filter(all_sites=True).values("study_id")
    site_ids = memberships.filter(all_sites=False).values("sites")
    return Participant.objects.filter(Q(study_id__in=whole_studies) | Q(site_id__in=site_ids)).select_related(
        "study", "site"
    )


def _overdue_visits(today: date):
    return Visit.objects.filter(
        participant=OuterRef("pk"), completed_on__isnull=True, missed=False, cancelled=False, window_end__lt=today
    )


def participant_list(
    user,
    *,
    study,
    query: str = "",
    site_code: str = "",
    status: str = "",
    arm: str = "",
    overdue: bool = False,
    window_review: bool = False,
    today: date | None = None,
    search_names: bool = False,
):
    """``search_names`` (only for roles that may see identifying data) also matches the full name."""
    participants = participants_for_user(user).filter(study=study)
    if query:
        query = query.strip()
        match = Q(identifier__icontains=query) | Q(screening_number__icontains=query)
        if search_names:
            match |= Q(personal_identifiers__full_name__icontains=query)
        participants = participants.filter(match)
    if site_code:
        participants = participants.filter(site__code=site_code)
    if status:
        participants = participants.filter(status=status)
    if arm:
        participants = participants.filter(arm_code=arm)
    if overdue:
        participants = participants.filter(
            Exists(_overdue_visits(today or timezone.localdate())), status=Participant.Status.ENROLLED
        )
    # The coordinator's task list: a post-enrolment criterion met and not yet reviewed (participants.CriterionEvent).
    open_events = CriterionEvent.objects.filter(participant=OuterRef("pk"), reviewed_at__isnull=True)
    participants = participants.annotate(criteria_to_review=Exists(open_events))
    if window_review:  # a completed visit an anchor move took out of its window
        participants = participants.filter(Exists(Visit.objects.filter(participant=OuterRef("pk"), window_review=True)))
    return participants.order_by("identifier", "screening_number")


def screening_log(user, *, study) -> QuerySet[Participant]:
    """Everyone screened in the study at the user's sites, screen failures included, newest first (a stable order,
    so pages do not overlap)."""
    return (
        participants_for_user(user)
        .filter(study=study)
        .filter(Exists(Screening.objects.filter(participant=OuterRef("pk"))))
        .select_related("site")
        .prefetch_related("screenings")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class ScheduledVisit:
    visit: Visit
    label: str
    status: str
    activities: tuple  # studies.protocol.Activity
    forms: tuple = ()  # form_status.FormChip per activity, when asked for (with_form_status)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def style(self) -> str:
        return STATUS_STYLES[self.status]

    @property
    def pending(self) -> bool:
        return not self.visit.is_done


def visit_status_of(visit: Visit, today: date) -> str:
    if visit.cancelled:
        return CANCELLED
    if visit.window_review and visit.completed_on is not None:
        return WINDOW_REVIEW
    # A Visit row carries the window like a ProjectedVisit does.
    return visit_status(visit, today=today, completed_on=visit.completed_on, missed=visit.missed)


def participant_schedule(participant: Participant, protocol, *, today: date) -> list[ScheduledVisit]:
    """The participant's visits in date order, with label, status and expected activities from the protocol
    (those of the participant's arm; every activity in a blinded study's union schedule, so a blinded role's
    view of it is the same for every arm). A completed visit lists the activities of the protocol version it was
    done under; the others follow the current version."""
    definitions = {v.code: v for v in protocol.visits} if protocol else {}
    return [_scheduled(participant, visit, protocol, definitions, today) for visit in participant.visits.all()]


def scheduled_visit(participant: Participant, visit: Visit, protocol, *, today: date) -> ScheduledVisit:
    """One visit of the participant's schedule, as ``participant_schedule`` gives it."""
    definitions = {v.code: v for v in protocol.visits} if protocol else {}
    return _scheduled(participant, visit, protocol, definitions, today)


def _scheduled(participant: Participant, visit: Visit, protocol, definitions: dict, today: date) -> ScheduledVisit:
    definition = _definition_done_under(participant, visit, protocol) or definitions.get(visit.visit_code)
    label = text_for(definition.label) if definition else visit.visit_code
    if definition is not None and definition.repeating is not None:
        label = f"{label} #{visit.sequence}"
    arm = participant.arm_code or None
    activities = activities_for(protocol, definition, arm) if definition is not None else ()
    return ScheduledVisit(visit, label, visit_status_of(visit, today), activities)


def next_form_after(participant: Participant, visit_code: str, activity_key: str, protocol) -> str | None:
    """The activity key of the visit's next form that is not complete, in protocol order after ``activity_key`` and
    then from the start (the visit flow's "next form"); None when every form is complete."""
    visit = participant.visits.filter(visit_code=visit_code).order_by("sequence").first()
    if visit is None:
        return None
    keys = [a.key for a in forms_not_complete(participant, visit, protocol) if a.key != activity_key]
    order = [a.key for a in scheduled_visit(participant, visit, protocol, today=timezone.localdate()).activities]
    here = order.index(activity_key) if activity_key in order else -1
    later = [key for key in keys if order.index(key) > here]
    return (later or keys or [None])[0]


def forms_not_complete(participant: Participant, visit: Visit, protocol) -> list:
    """The visit's required forms (every instrument activity: the protocol has no optional ones) with no complete
    first entry."""
    row = scheduled_visit(participant, visit, protocol, today=timezone.localdate())
    required = [a for a in row.activities if a.kind == "instrument"]
    done = set(
        participant.responses.filter(
            visit_code=visit.visit_code, instance=1, status=Response.Status.COMPLETE
        ).values_list("activity_key", flat=True)
    )
    return [activity for activity in required if activity.key not in done]


def with_form_status(participant: Participant, schedule: list[ScheduledVisit]) -> list[ScheduledVisit]:
    """The schedule's rows with each activity's form chip: title, status and open queries (four queries).

    SDV, signatures and queries belong to apps on higher floors (monitoring, queries); they are read here through
    the participant's and the responses' reverse relations, as randomisation_number reads the allocation.
    """
    saved = {
        (r["visit_code"], r["activity_key"]): r
        for r in participant.responses.filter(instance=1)
        .annotate(
            current_sdv=Count(
                "verifications",
                filter=Q(verifications__reset_at__isnull=True, verifications__lock_version=F("lock_version")),
            )
        )
        .values("pk", "visit_code", "activity_key", "status", "current_sdv")
        .order_by()
    }
    locks = list(active_locks(participant).values_list("scope", "visit_code", "response_id"))
    signed = participant.signatures.filter(voided_at__isnull=True).exists()
    queries: dict[tuple[str, str], int] = {}
    for key in participant.queries.filter(status__in=OPEN_QUERY_STATUSES).values_list("visit_code", "activity_key"):
        queries[key] = queries.get(key, 0) + 1
    titles: dict[str, str] = {}
    protocol = current_protocol(participant.study)

    def chip(visit_code: str, activity) -> FormChip:
        key = (visit_code, activity.key)
        if activity.kind != "instrument":
            return FormChip(
                activity.key, activity.kind, activity_title(protocol, activity), NOT_TRACKED, queries.get(key, 0)
            )
        row = saved.get(key)
        locked = any(lock_covers(lock, visit_code, row) for lock in locks)
        status = form_status(
            row and row["status"], verified=bool(row and row["current_sdv"]), locked=locked, signed=signed
        )
        if activity.code not in titles:
            titles[activity.code] = instrument_title(participant, activity.code)
        title = with_respondent(titles[activity.code], activity)
        return FormChip(activity.key, activity.kind, title, status, queries.get(key, 0))

    return [replace(row, forms=tuple(chip(row.visit.visit_code, a) for a in row.activities)) for row in schedule]


def lock_covers(lock: tuple, visit_code: str, row: dict | None) -> bool:
    """Does an active lock, as (scope, visit code, response id), cover the form at ``visit_code`` whose saved
    response is ``row`` (a dict with "pk", None when nothing was saved)? A form never started is covered by its
    visit's or participant's lock."""
    scope, lock_visit, response_id = lock
    if scope == Lock.Scope.PARTICIPANT:
        return True
    if scope == Lock.Scope.VISIT:
        return lock_visit == visit_code
    return row is not None and response_id == row["pk"]


def instrument_title(participant: Participant, code: str) -> str:
    """An instrument's title in the viewer's language (its short title when it has one), never just its code
    unless the definition cannot be read."""
    try:
        instrument = instrument_for(participant, code)
    except KeyError:
        return code
    return text_for(instrument.short_title or instrument.title) or code


def _definition_done_under(participant: Participant, visit: Visit, protocol):
    """The visit's definition in the protocol version it was completed under, when that is not the current one."""
    if (
        protocol is None
        or visit.completed_on is None
        or visit.protocol_version in ("", protocol.study.protocol_version)
    ):
        return None
    done_under = protocol_at_version(participant.study, visit.protocol_version)
    return next((v for v in done_under.visits if v.code == visit.visit_code), None) if done_under else None


def visits_to_review(user, *, study) -> QuerySet[Visit]:
    """Completed visits of the study at the user's sites flagged for review after an anchor moved them out of
    their window (services.schedule._window_review)."""
    return (
        Visit.objects.filter(participant__in=participants_for_user(user).filter(study=study), window_review=True)
        .select_related("participant")
        .order_by("participant__identifier", "target_date")
    )


def visits_due(user, *, today: date, days: int = 7) -> QuerySet[Visit]:
    """Pending visits of enrolled participants at the user's sites whose window is open within ``days``,
    or already closed (overdue)."""
    return (
        Visit.objects.filter(
            participant__in=participants_for_user(user).filter(status=Participant.Status.ENROLLED),
            completed_on__isnull=True,
            missed=False,
            cancelled=False,
            window_start__lte=today + timedelta(days=days - 1),
        )
        .select_related("participant", "participant__study", "participant__site")
        .order_by("window_end", "participant__identifier", "pk")
    )


def withdrawals(user, *, study) -> QuerySet[Participant]:
    """Withdrawn participants of the study at the user's sites, with date and reason (for reports)."""
    return (
        participants_for_user(user)
        .filter(study=study, status=Participant.Status.WITHDRAWN)
        .order_by("withdrawn_on", "identifier")
    )


def active_locks(participant) -> QuerySet[Lock]:
    return Lock.objects.filter(participant=participant, unlocked_at__isnull=True).select_related("locked_by")


@dataclass
class LockState:
    """What of a participant's data is locked now, for the participant page."""

    participant_lock: Lock | None
    visit_codes: list[str]
    forms: int

    @property
    def any(self) -> bool:
        return bool(self.participant_lock or self.visit_codes or self.forms)


def lock_state(participant) -> LockState:
    locks = list(active_locks(participant))
    return LockState(
        participant_lock=next((lock for lock in locks if lock.scope == Lock.Scope.PARTICIPANT), None),
        visit_codes=sorted(lock.visit_code for lock in locks if lock.scope == Lock.Scope.VISIT),
        forms=sum(lock.scope == Lock.Scope.FORM for lock in locks),
    )


def is_locked(participant, visit_code: str | None = None, response=None) -> Lock | None:
    """The lock that makes this data read-only (the participant's, the visit's or the form's), or None.

    With ``response`` its visit is checked too; with neither, only a lock of the whole participant counts.
    """
    if response is not None:
        visit_code = visit_code or response.visit_code
    scopes = Q(scope=Lock.Scope.PARTICIPANT)
    if visit_code:
        scopes |= Q(scope=Lock.Scope.VISIT, visit_code=visit_code)
    if response is not None and response.pk:
        scopes |= Q(scope=Lock.Scope.FORM, response_id=response.pk)
    return active_locks(participant).filter(scopes).order_by("pk").first()


def responses_for_user(user) -> QuerySet[Response]:
    """Every response of a participant ``user`` may see (their studies, limited to their sites)."""
    return Response.objects.filter(participant__in=participants_for_user(user)).select_related(
        "participant", "participant__study", "participant__site", "entered_by"
    )


def randomisation_number(participant: Participant) -> str:
    """The number of the allocation slot the participant was randomised to, or "" (shown to blinded roles).

    Read through the slot's one-to-one ``allocation`` (randomisation.AllocationSlot): randomisation sits on a
    floor above participants, so it is reached by the relation, not imported.
    """
    slot = getattr(participant, "allocation", None)
    return str(slot.number) if slot is not None else ""


# The schedule rule of CRF entry (studies.protocol.entry), worded for every path in both languages: the page
# shows it, the import puts it on the refused row, the API returns it.
ENTRY_REASONS = {
    NO_VISIT: {"en": "The protocol has no visit '%(visit)s'.", "zh": "方案中没有访视“%(visit)s”。"},
    NO_ACTIVITY: {
        "en": "Visit '%(visit)s' has no form '%(activity)s' in the current protocol.",
        "zh": "当前方案中访视“%(visit)s”没有表单“%(activity)s”。",
    },
    VISIT_ARM: {
        "en": "Visit '%(visit)s' is not on this participant's schedule: it is for other arms only. Nothing was saved.",
        "zh": "访视“%(visit)s”不在该受试者的访视计划中：它仅适用于其他组别。未保存任何内容。",
    },
    NO_ARM: {
        "en": "Form '%(activity)s' at visit '%(visit)s' is for some arms only, and this participant has no arm yet. "
        "Nothing was saved.",
        "zh": "访视“%(visit)s”的表单“%(activity)s”仅适用于部分组别，而该受试者尚未分组。未保存任何内容。",
    },
    ANCHOR_MISSING: {
        "en": "Visit '%(visit)s' is not on this participant's schedule yet: it is reckoned from the %(anchor)s date, "
        "which has not been entered. Nothing was saved.",
        "zh": "访视“%(visit)s”尚未进入该受试者的访视计划：它从“%(anchor)s”日期推算，而该日期尚未录入。未保存任何内容。",
    },
    NOT_ENROLLED: {
        "en": "Unscheduled visit '%(visit)s' opens once the participant is enrolled. Nothing was saved.",
        "zh": "计划外访视“%(visit)s”在受试者入组后才开放。未保存任何内容。",
    },
    ACTIVITY_ARM: {
        "en": "Form '%(activity)s' at visit '%(visit)s' is not on this participant's schedule: it is for other arms "
        "only. Nothing was saved.",
        "zh": "访视“%(visit)s”的表单“%(activity)s”不在该受试者的访视计划中：它仅适用于其他组别。未保存任何内容。",
    },
}
ENROLMENT_ANCHOR = "enrolment"  # participants.services.ENROLMENT: the enrolment date is this anchor's date


@dataclass(frozen=True)
class ScheduleRefusal:
    """Why a participant's form cannot be opened or saved: ``unknown`` (the protocol has no such visit or form:
    a 404) or not scheduled for them (a 409 on the API), with the reason in both languages."""

    unknown: bool
    reason: dict[str, str]  # {"en": ..., "zh": ...}

    @property
    def status_code(self) -> int:
        return 404 if self.unknown else 409


def participant_anchors(participant: Participant) -> dict[str, date]:
    """The participant's anchor dates by code; the enrolment date counts as the enrolment anchor's."""
    anchors = {a.anchor_code: a.date for a in participant.anchor_dates.all()}
    if participant.enrolled_on is not None:
        anchors.setdefault(ENROLMENT_ANCHOR, participant.enrolled_on)
    return anchors


def scheduled_activity(participant: Participant, visit_code: str, activity_key: str) -> ScheduleRefusal | None:
    """None when the participant's schedule holds instrument ``activity_key`` at ``visit_code``, else why not.

    The one schedule check of CRF entry: the CRF page (GET and POST), the response import, the API and, when
    they come (#18), surveys ask it before anything is saved. The visit must be one the participant has for
    their arm and anchor dates (or a declared unscheduled visit) and hold the activity for their arm.
    """
    protocol = current_protocol(participant.study)
    if protocol is None:
        return ScheduleRefusal(True, _worded(NO_VISIT, {"visit": visit_code}))
    refusal = entry_refusal(
        protocol,
        arm_code=participant.arm_code or None,
        anchors=participant_anchors(participant),
        visit_code=visit_code,
        activity_key=activity_key,
    )
    if refusal is None:
        return None
    return ScheduleRefusal(refusal.kind == UNKNOWN, _worded(refusal.reason, refusal.params))


def unscheduled_forms(participant: Participant, protocol) -> list[tuple]:
    """(visit, instrument activities) of the protocol's unscheduled visits that the participant may open now."""
    if protocol is None:
        return []
    anchors, arm = participant_anchors(participant), participant.arm_code or None
    out = []
    for visit in (v for v in protocol.visits if v.unscheduled):
        open_now = [
            activity
            for activity in visit.activities
            if activity.kind == "instrument"
            and entry_refusal(protocol, arm_code=arm, anchors=anchors, visit_code=visit.code, activity_key=activity.key)
            is None
        ]
        if open_now:
            out.append((visit, open_now))
    return out


def _worded(reason: str, params: dict) -> dict[str, str]:
    def in_language(value, language: str):
        return getattr(value, language, value)  # an anchor's label is bilingual Text

    return {
        language: message % {key: in_language(value, language) for key, value in params.items()}
        for language, message in ENTRY_REASONS[reason].items()
    }


def visit_target_dates(user, *, study) -> dict[tuple[int, str, int], tuple[str, date]]:
    """The target date of every visit of ``study`` that ``user`` may see, by (participant id, visit code,
    occurrence), with the participant's study ID: compared before and after an amendment's preview."""
    visits = Visit.objects.filter(participant__in=participants_for_user(user).filter(study=study))
    rows = visits.values_list("participant_id", "participant__identifier", "visit_code", "sequence", "target_date")
    return {(pk, code, sequence): (identifier, day) for pk, identifier, code, sequence, day in rows}
