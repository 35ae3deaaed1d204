"""The rows of one batch of synthetic courses, built in memory and inserted in bulk.

Rows are those the services would store (the same fields, codes, scores and schedule), written in bulk
(``bulk``: the big tables as tuples of column values, copied on PostgreSQL) without one audit event per
row: the batch's single audit event (``workflows.synthetic.store``) says what was written and that it is
generated data.
"""

from __future__ import annotations

import functools
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from django.utils import timezone

from accounts.capabilities import QUERY_ASSIGNEE
from instruments.definitions import Instrument
from instruments.models import Response
from instruments.registry import instrument_for
from participants.models import AnchorDate, Consent, Participant, PersonalIdentifiers, Screening
from queries.models import Query, QueryMessage

from .answers import Context, Form, FormPool
from .course import Course, VisitPlan, severity

QUERY_SHARE = 0.01  # responses that get a data query
FORM_NOT_DONE = 0.01  # forms of an attended visit left empty
QUERY_TEXTS = (
    ("Please confirm this value against the source document.", "请对照原始资料核实此数值。"),
    ("This answer looks inconsistent with the previous visit: please check.", "此答案与上次访视不一致，请核实。"),
)
RESPONSE_OBJECT = "instruments.response"


@functools.lru_cache(maxsize=4096)
def moment(day) -> datetime:
    """Noon of ``day`` in the server's time zone (when a form of that day was completed)."""
    return timezone.make_aware(datetime.combine(day, time(12)))


@dataclass
class Batch:
    """Rows of one batch, in insertion order; ``counts`` is rows per table."""

    participants: list[Participant] = field(default_factory=list)
    courses: list[Course] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)


def participant_row(course: Course, *, study, sites: dict, identifier: str, screening_number: str) -> Participant:
    status = Participant.Status.SCREEN_FAILED
    if course.eligible:
        status = Participant.Status.WITHDRAWN if course.withdrawn_on else Participant.Status.ENROLLED
    return Participant(
        study=study,
        site=sites[course.site_code],
        identifier=identifier,
        screening_number=screening_number,
        status=status,
        enrolled_on=course.enrolled_on,
        arm_code=course.arm or "",
        allocation_source=course.allocation_source,
        allocated_at=moment(course.enrolled_on) if course.arm else None,
        withdrawn_on=course.withdrawn_on,
        withdrawal_reason=course.withdrawal_reason,
    )


def _screening(course: Course, participant: Participant, user, version: str) -> list[Any]:
    rows: list[Any] = [
        PersonalIdentifiers(participant=participant, full_name=course.full_name, date_of_birth=course.birth_date),
        Screening(
            participant=participant,
            screened_on=course.screened_on,
            answers=course.answers,
            eligible=course.eligible,
            failing_criteria=course.failing,
            unanswered_criteria=course.unanswered,
            protocol_version=version,
            screened_by=user,
        ),
    ]
    if course.enrolled_on is not None:
        rows.append(
            Consent(participant=participant, form_version=version, consented_on=course.screened_on, taken_by=user)
        )
        rows += [
            AnchorDate(participant=participant, anchor_code=code, date=day, entered_by=user)
            for code, day in course.anchors.items()
        ]
    return rows


VISIT_COLUMNS = (
    "participant_id",
    "visit_code",
    "sequence",
    "anchor_code",
    "target_date",
    "window_start",
    "window_end",
    "estimated",
    "completed_on",
    "missed",
    "cancelled",
    "window_review",
    "protocol_version",
    "updated_at",
)
RESPONSE_COLUMNS = (
    "participant_id",
    "visit_code",
    "activity_key",
    "instance",
    "instrument_code",
    "definition_version",
    "values",
    "scores",
    "scoring_version",
    "status",
    "source",
    "entered_by_id",
    "lock_version",
    "created_at",
    "updated_at",
    "completed_at",
)
REVISION_COLUMNS = (
    "response_id",
    "lock_version",
    "values",
    "scores",
    "status",
    "source",
    "reason",
    "changed_by_id",
    "changed_at",
)
COMPLETE, COORDINATOR = Response.Status.COMPLETE.value, Response.Source.COORDINATOR.value


@dataclass(frozen=True)
class Drafted:
    """A response to store: who, where, which form and when."""

    participant: Participant
    visit_code: str
    activity_key: str
    instrument_code: str
    definition_version: str
    form: Form
    completed_at: datetime


def _visit(plan: VisitPlan, participant: Participant, now: datetime) -> tuple:
    projected = plan.projected
    return (
        participant.pk,
        projected.code,
        projected.occurrence,
        projected.anchor,
        projected.target,
        projected.window_start,
        projected.window_end,
        projected.estimated,
        plan.completed_on,
        plan.missed,
        plan.cancelled,
        False,
        "",
        now,
    )


def _instrument(participant: Participant, code: str, version: str, known: dict) -> Instrument:
    key = (code, version)
    if key not in known:
        known[key] = instrument_for(participant, code, version)
    return known[key]


def _responses(course: Course, participant: Participant, plan: VisitPlan, *, pool, rng, known) -> list[Drafted]:
    day = plan.completed_on
    context = Context(visit_day=day, birth_date=course.birth_date)
    level = severity(course, day, rng)
    at = moment(day)
    out = []
    for activity in plan.projected.activities:
        if activity.kind != "instrument" or rng.random() < FORM_NOT_DONE:
            continue
        instrument = _instrument(participant, activity.code, activity.version, known)
        form = pool.form(instrument, rng, level, context)
        out.append(
            Drafted(participant, plan.projected.code, activity.key, instrument.code, instrument.version, form, at)
        )
    return out


@dataclass
class CourseRows:
    """One participant's rows but the participant itself: model instances of the small tables, tuples of
    visit columns and the responses to store."""

    objects: dict[type, list]
    visits: list[tuple]
    responses: list[Drafted]


def course_rows(course: Course, participant: Participant, *, user, pool: FormPool, version: str, known: dict, now):
    """Every row of one participant but the participant itself (``known`` caches instrument definitions)."""
    rng = random.Random(f"{pool.seed}:rows:{course.index}")
    objects: dict[type, list] = {model: [] for model in (PersonalIdentifiers, Screening, Consent, AnchorDate)}
    for row in _screening(course, participant, user, version):
        objects[type(row)].append(row)
    responses = [
        response
        for plan in course.visits
        if plan.completed_on is not None
        for response in _responses(course, participant, plan, pool=pool, rng=rng, known=known)
    ]
    return CourseRows(objects, [_visit(plan, participant, now) for plan in course.visits], responses)


def response_rows(responses: list[Drafted], *, user, now: datetime) -> list[tuple]:
    """The response rows, complete at their first lock version, as the one write path stores them."""
    return [
        (
            r.participant.pk,
            r.visit_code,
            r.activity_key,
            1,
            r.instrument_code,
            r.definition_version,
            r.form.values_json,
            r.form.scores_json,
            r.form.scoring_version,
            COMPLETE,
            COORDINATOR,
            user.pk,
            1,
            now,
            now,
            r.completed_at,
        )
        for r in responses
    ]


def revision_rows(responses: list[Drafted], ids: list[int], *, user, now: datetime) -> list[tuple]:
    """The first revision of each response."""
    return [
        (pk, 1, r.form.values_json, r.form.scores_json, COMPLETE, COORDINATOR, "", user.pk, now)
        for pk, r in zip(ids, responses, strict=True)
    ]


def queries(
    responses: list[Drafted], ids: list[int], *, rng: random.Random, user
) -> list[tuple[Query, list[QueryMessage]]]:
    """Queries on a few responses, open, answered or closed, each with its thread."""
    out = []
    for pk, response in zip(ids, responses, strict=True):
        values = response.form.values
        if rng.random() >= QUERY_SHARE or not values:
            continue
        participant = response.participant
        en, zh = rng.choice(QUERY_TEXTS)
        status = rng.choice([Query.Status.OPEN, Query.Status.ANSWERED, Query.Status.CLOSED])
        query = Query(
            study_id=participant.study_id,
            site_id=participant.site_id,
            participant=participant,
            object_type=RESPONSE_OBJECT,
            object_id=str(pk),
            visit_code=response.visit_code,
            activity_key=response.activity_key,
            item_code=rng.choice(sorted(values)),
            text=f"{en} / {zh}",
            origin=Query.Origin.MANUAL,
            raised_by=user,
            status=status,
            assigned_role=QUERY_ASSIGNEE,
        )
        thread = [QueryMessage(query=query, author=user, text=query.text, status_to=Query.Status.OPEN)]
        if status != Query.Status.OPEN:
            thread.append(
                QueryMessage(
                    query=query,
                    author=user,
                    text="Checked against the source: correct. / 已核对原始资料：无误。",
                    status_from=Query.Status.OPEN,
                    status_to=Query.Status.ANSWERED,
                )
            )
        if status == Query.Status.CLOSED:
            thread.append(
                QueryMessage(query=query, author=user, status_from=Query.Status.ANSWERED, status_to=Query.Status.CLOSED)
            )
        out.append((query, thread))
    return out
