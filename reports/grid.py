"""The record status grid: participants × visits, each cell the visit's expected activities with their status.

A page is built from a fixed set of grouped queries (the page of participants with their visits, the responses
with their SDV and lock state, open queries, valid signatures, the reasons of missed visits), whatever the
number of participants; the expected activities come from the participant page's own schedule
(participants.selectors.participant_schedule), so the grid and the participant page never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from audit.models import AuditEvent
from core.i18n import text_for
from core.pagination import LinkedPage, paginate
from instruments.models import Response
from monitoring.models import Signature, SourceVerification
from monitoring.selectors import with_review_state
from participants.form_status import (
    COMPLETE,
    IN_PROGRESS,
    LOCKED,
    LOOKS,
    MISSED,
    NOT_STARTED,
    NOT_TRACKED,
    OPEN_QUERY,
    OUT_OF_WINDOW,
    OVERDUE,
    SIGNED,
    VERIFIED,
    FormChip,
    Look,
    form_status,
)
from participants.models import Lock, Participant, Visit
from participants.selectors import instrument_title, lock_covers, participant_schedule, participants_for_user
from queries.models import Query
from queries.selectors import OPEN_STATUSES

PAGE_SIZE = 25
FILTER_STATUSES = tuple(code for code in LOOKS if code != NOT_TRACKED)


@dataclass
class VisitCell:
    visit: Visit
    label: str
    state: str  # participants.selectors visit status (upcoming, open, overdue, completed, missed, …)
    forms: list[FormChip] = field(default_factory=list)
    missed_reason: str = ""

    @property
    def marks(self) -> list[Look]:
        """The visit-level marks shown above its forms."""
        return [LOOKS[s] for s in (MISSED, OUT_OF_WINDOW, OVERDUE) if s == self.state]


@dataclass
class GridRow:
    participant: Participant
    cells: list[tuple[str, list[VisitCell]]]  # per column: visit code, occurrences (a repeating visit has several)
    arm: str = ""


@dataclass
class Grid:
    columns: list[tuple[str, str]]  # (visit code, label)
    rows: list[GridRow]
    page: LinkedPage


@dataclass(frozen=True)
class Filters:
    site: str = ""
    arm: str = ""  # ignored unless the caller may see arms
    visit: str = ""
    status: str = ""


def _status_filter(status: str, today: date) -> Q:
    """Participants with at least one cell of ``status`` (a SQL filter, so pages stay paginated in the database).

    "Not started" is read as a visit whose window has opened, not done, with no saved form yet."""
    mine = {"participant": OuterRef("pk")}
    visits = Visit.objects.filter(**mine, cancelled=False)
    saved = Response.objects.filter(**mine).exclude(status=Response.Status.NOT_STARTED)
    conditions = {
        NOT_STARTED: lambda: Exists(
            visits.filter(completed_on__isnull=True, missed=False, window_start__lte=today).exclude(
                visit_code__in=saved.values("visit_code")
            )
        ),
        IN_PROGRESS: lambda: Exists(saved.filter(status=Response.Status.IN_PROGRESS)),
        COMPLETE: lambda: Exists(saved.filter(status=Response.Status.COMPLETE)),
        VERIFIED: lambda: Exists(
            SourceVerification.objects.filter(
                response__participant=OuterRef("pk"),
                reset_at__isnull=True,
                complete=True,
                lock_version=F("response__lock_version"),
            )
        ),
        LOCKED: lambda: Exists(Lock.objects.filter(**mine, unlocked_at__isnull=True)),
        SIGNED: lambda: Exists(Signature.objects.filter(**mine, voided_at__isnull=True)),
        OPEN_QUERY: lambda: Exists(Query.objects.filter(**mine, status__in=OPEN_STATUSES)),
        MISSED: lambda: Exists(visits.filter(missed=True)),
        OUT_OF_WINDOW: lambda: Exists(
            visits.filter(Q(completed_on__lt=F("window_start")) | Q(completed_on__gt=F("window_end")))
        ),
        OVERDUE: lambda: Exists(visits.filter(completed_on__isnull=True, missed=False, window_end__lt=today)),
    }
    return Q(conditions[status]()) if status in conditions else Q()


def grid_participants(user, *, study, filters: Filters, today: date) -> QuerySet[Participant]:
    """The enrolled (or once enrolled) participants of ``study`` the user may see, filtered, in study-ID order."""
    participants = participants_for_user(user).filter(study=study).exclude(identifier="")
    if filters.site:
        participants = participants.filter(site__code=filters.site)
    if filters.arm:
        participants = participants.filter(arm_code=filters.arm)
    return participants.filter(_status_filter(filters.status, today)).order_by("identifier")


def status_grid(user, *, study, protocol, filters: Filters, today: date, query, arms: dict) -> Grid:
    """One page of the grid (``query``: the request's parameters, ``page`` among them). ``arms`` maps arm codes
    to names for a role that may see arms, else is empty."""
    columns = [
        (v.code, text_for(v.label))
        for v in (protocol.visits if protocol else ())
        if not v.unscheduled and (not filters.visit or v.code == filters.visit)
    ]
    participants = grid_participants(user, study=study, filters=filters, today=today).prefetch_related("visits")
    page = paginate(participants, query, per_page=PAGE_SIZE)
    people = list(page.object_list)
    ids = [p.pk for p in people]
    state = _ReviewState.load(ids)
    codes = [code for code, _ in columns]
    rows = [_row(p, protocol, state, today=today, codes=codes, arms=arms) for p in people]
    return Grid(columns=columns, rows=rows, page=page)


@dataclass
class _ReviewState:
    """What the page's participants' forms and visits carry, each read in one query."""

    responses: dict[tuple[int, str, str], dict]
    queries: dict[tuple[int, str, str], int]
    signed: set[int]
    missed_reasons: dict[int, str]  # visit id -> reason
    locks: dict[int, list[tuple]]  # participant id -> active locks as (scope, visit code, response id)
    titles: dict[tuple[str, str], str] = field(
        default_factory=dict
    )  # (kind, code) -> title: a study's own costs a query

    @classmethod
    def load(cls, ids: list[int]) -> _ReviewState:
        return cls(_responses(ids), _open_queries(ids), _signed(ids), _missed_reasons(ids), _locks(ids))


def _responses(ids) -> dict:
    rows = with_review_state(Response.objects.filter(participant_id__in=ids, instance=1)).values(
        "pk", "participant_id", "visit_code", "activity_key", "status", "is_verified"
    )
    return {(r["participant_id"], r["visit_code"], r["activity_key"]): r for r in rows.order_by()}


def _open_queries(ids) -> dict:
    found: dict = {}
    rows = Query.objects.filter(participant_id__in=ids, status__in=OPEN_STATUSES).values_list(
        "participant_id", "visit_code", "activity_key"
    )
    for key in rows.order_by():
        found[key] = found.get(key, 0) + 1
    return found


def _locks(ids) -> dict[int, list[tuple]]:
    found: dict[int, list[tuple]] = {}
    rows = Lock.objects.filter(participant_id__in=ids, unlocked_at__isnull=True).order_by()
    for participant_id, *lock in rows.values_list("participant_id", "scope", "visit_code", "response_id"):
        found.setdefault(participant_id, []).append(tuple(lock))
    return found


def _signed(ids) -> set[int]:
    signatures = Signature.objects.filter(participant_id__in=ids, voided_at__isnull=True)
    return set(signatures.values_list("participant_id", flat=True))


def _missed_reasons(ids) -> dict[int, str]:
    """The reason given when each missed visit was recorded (visit_miss writes it on the visit's audit event)."""
    missed = Visit.objects.filter(participant_id__in=ids, missed=True).values_list("pk", flat=True)
    events = (
        AuditEvent.objects.filter(object_type="participants.visit", object_id__in=[str(pk) for pk in missed])
        .exclude(reason="")
        .order_by("at", "pk")
        .values_list("object_id", "reason")
    )
    return {int(object_id): reason for object_id, reason in events}  # the latest reason wins


def _row(participant, protocol, state: _ReviewState, *, today, codes: list[str], arms: dict) -> GridRow:
    cells: dict[str, list[VisitCell]] = {code: [] for code in codes}
    signed = participant.pk in state.signed
    for scheduled in participant_schedule(participant, protocol, today=today):
        code = scheduled.visit.visit_code
        if code not in codes:
            continue
        reason = state.missed_reasons.get(scheduled.visit.pk, "")
        cell = VisitCell(scheduled.visit, scheduled.label, scheduled.status, missed_reason=reason)
        cell.forms = [_form(participant, code, activity, state, signed) for activity in scheduled.activities]
        cells[code].append(cell)
    return GridRow(participant, list(cells.items()), arm=arms.get(participant.arm_code, "") if arms else "")


def _form(participant, visit_code: str, activity, state: _ReviewState, signed: bool) -> FormChip:
    key = (participant.pk, visit_code, activity.key)
    saved = state.responses.get(key)
    status = (
        NOT_TRACKED
        if activity.kind != "instrument"
        else form_status(
            saved["status"] if saved else None,
            verified=bool(saved and saved["is_verified"]),
            locked=any(lock_covers(lock, visit_code, saved) for lock in state.locks.get(participant.pk, ())),
            signed=signed,
        )
    )
    kind_code = (activity.kind, activity.code)
    if kind_code not in state.titles:
        state.titles[kind_code] = (
            instrument_title(participant, activity.code) if activity.kind == "instrument" else activity.code
        )
    return FormChip(activity.key, activity.kind, state.titles[kind_code], status, state.queries.get(key, 0))
