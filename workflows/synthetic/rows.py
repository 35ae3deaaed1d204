"""The rows of one batch of synthetic courses, built in memory and inserted with ``bulk_create``.

Rows are those the services would store (the same fields, codes, scores and schedule), written in bulk
without one audit event per row: the batch's single audit event (``workflows.synthetic.store``) says what was
written and that it is generated data.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from django.utils import timezone

from accounts.capabilities import QUERY_ASSIGNEE
from instruments.models import Response, ResponseRevision
from instruments.registry import instrument_for
from participants.models import AnchorDate, Consent, Participant, PersonalIdentifiers, Screening, Visit
from queries.models import Query, QueryMessage

from .answers import Context, FormPool
from .course import Course, VisitPlan, severity

QUERY_SHARE = 0.01  # responses that get a data query
FORM_NOT_DONE = 0.01  # forms of an attended visit left empty
QUERY_TEXTS = (
    ("Please confirm this value against the source document.", "请对照原始资料核实此数值。"),
    ("This answer looks inconsistent with the previous visit: please check.", "此答案与上次访视不一致，请核实。"),
)
RESPONSE_OBJECT = "instruments.response"


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


def _visit(plan: VisitPlan, participant: Participant) -> Visit:
    projected = plan.projected
    return Visit(
        participant=participant,
        visit_code=projected.code,
        sequence=projected.occurrence,
        anchor_code=projected.anchor,
        target_date=projected.target,
        window_start=projected.window_start,
        window_end=projected.window_end,
        estimated=projected.estimated,
        completed_on=plan.completed_on,
        missed=plan.missed,
        cancelled=plan.cancelled,
    )


def _responses(course: Course, participant: Participant, plan: VisitPlan, *, user, pool, rng) -> list[Response]:
    day = plan.completed_on
    context = Context(visit_day=day, birth_date=course.birth_date)
    level = severity(course, day, rng)
    out = []
    for activity in plan.projected.activities:
        if activity.kind != "instrument" or rng.random() < FORM_NOT_DONE:
            continue
        instrument = instrument_for(participant, activity.code, activity.version)
        form = pool.form(instrument, rng, level, context)
        out.append(
            Response(
                participant=participant,
                visit_code=plan.projected.code,
                activity_key=activity.key,
                instrument_code=instrument.code,
                definition_version=instrument.version,
                values=form.values,
                scores=form.scores,
                scoring_version=form.scoring_version,
                status=Response.Status.COMPLETE,
                source=Response.Source.COORDINATOR,
                entered_by=user,
                lock_version=1,
                completed_at=moment(day),
            )
        )
    return out


def course_rows(course: Course, participant: Participant, *, user, pool: FormPool, version: str) -> dict[type, list]:
    """Every row of one participant but the participant itself, by model."""
    rng = random.Random(f"{pool.seed}:rows:{course.index}")
    rows: dict[type, list] = {model: [] for model in (PersonalIdentifiers, Screening, Consent, AnchorDate, Visit)}
    for row in _screening(course, participant, user, version):
        rows[type(row)].append(row)
    rows[Visit] = [_visit(plan, participant) for plan in course.visits]
    rows[Response] = [
        response
        for plan in course.visits
        if plan.completed_on is not None
        for response in _responses(course, participant, plan, user=user, pool=pool, rng=rng)
    ]
    return rows


def revisions(responses: list[Response]) -> list[ResponseRevision]:
    """The first revision of each response, as the one write path stores it."""
    return [
        ResponseRevision(
            response=r,
            lock_version=1,
            values=r.values,
            scores=r.scores,
            status=r.status,
            source=r.source,
            changed_by=r.entered_by,
        )
        for r in responses
    ]


def queries(responses: list[Response], *, rng: random.Random, user) -> list[tuple[Query, list[QueryMessage]]]:
    """Queries on a few responses, open, answered or closed, each with its thread."""
    out = []
    for response in responses:
        if rng.random() >= QUERY_SHARE or not response.values:
            continue
        participant = response.participant
        en, zh = rng.choice(QUERY_TEXTS)
        status = rng.choice([Query.Status.OPEN, Query.Status.ANSWERED, Query.Status.CLOSED])
        query = Query(
            study_id=participant.study_id,
            site_id=participant.site_id,
            participant=participant,
            object_type=RESPONSE_OBJECT,
            object_id=str(response.pk),
            visit_code=response.visit_code,
            activity_key=response.activity_key,
            item_code=rng.choice(sorted(response.values)),
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
