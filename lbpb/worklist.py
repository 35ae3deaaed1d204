"""The site worker's list on the home page: queries waiting for an answer, overdue visits and the forms due this
week, at the user's sites (each list from the owning app's scoped selector; a few queries whatever the size)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from accounts.capabilities import Action, can_in_any_study
from core.i18n import text_for
from instruments.models import Response
from participants.selectors import instrument_title, visits_due
from queries.models import Query
from queries.selectors import queries_for_user
from studies.protocol import activities_for
from studies.selectors import current_protocol

LIMIT = 10  # each list shows its first rows and its total
WAITING_FOR_SITE = (Query.Status.OPEN, Query.Status.REOPENED)  # "answered" waits for the reviewer


@dataclass
class DueVisit:
    visit: object  # participants.Visit, with participant, study and site
    label: str
    forms: list[str]  # titles of the expected forms not complete yet


@dataclass
class Worklist:
    queries: list
    query_count: int
    overdue: list
    overdue_count: int
    due: list[DueVisit]
    due_count: int


def shows_worklist(user) -> bool:
    """Site staff: the roles that answer queries and record visits."""
    return can_in_any_study(user, Action.ANSWER_QUERY) and can_in_any_study(user, Action.MANAGE_PARTICIPANTS)


def worklist(user, *, today: date) -> Worklist:
    queries = queries_for_user(user).filter(status__in=WAITING_FOR_SITE).order_by("raised_at", "pk")
    pending = visits_due(user, today=today)
    overdue, this_week = pending.filter(window_end__lt=today), pending.filter(window_end__gte=today)
    return Worklist(
        queries=list(queries[:LIMIT]),
        query_count=queries.count(),
        overdue=list(overdue[:LIMIT]),
        overdue_count=overdue.count(),
        due=_with_pending_forms(list(this_week[:LIMIT])),
        due_count=this_week.count(),
    )


def _with_pending_forms(visits: list) -> list[DueVisit]:
    """Each visit with the titles of its expected forms that are not complete (one query for all the visits)."""
    complete = set(
        Response.objects.filter(
            participant_id__in={v.participant_id for v in visits}, status=Response.Status.COMPLETE, instance=1
        )
        .order_by()
        .values_list("participant_id", "visit_code", "activity_key")
    )
    rows, protocols = [], {}
    for visit in visits:
        participant = visit.participant
        if participant.study_id not in protocols:  # one read per study, not per row
            protocols[participant.study_id] = current_protocol(participant.study)
        protocol = protocols[participant.study_id]
        definition = next((v for v in protocol.visits if v.code == visit.visit_code), None) if protocol else None
        activities = activities_for(protocol, definition, participant.arm_code or None) if definition else ()
        forms = [
            instrument_title(participant, a.code)
            for a in activities
            if a.kind == "instrument" and (participant.pk, visit.visit_code, a.key) not in complete
        ]
        rows.append(DueVisit(visit, text_for(definition.label) if definition else visit.visit_code, forms))
    return rows
