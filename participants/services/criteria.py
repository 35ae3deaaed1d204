"""Discontinuation and post-enrolment exclusion criteria of the protocol, judged when a form is saved.

``workflows.services.response_submit`` calls ``participant_criteria_evaluate`` after every changed response. A
criterion met (True, not unknown) on the participant's data is recorded once as a ``CriterionEvent`` (their
post-enrolment status and the coordinator's task), with an audit row. The system never undoes one: when a
correction of the form that triggered it makes the criterion false, the event is flagged for review and put back
on the coordinator's list, for a person to decide.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.services import audited_update
from instruments.models import Response
from studies.protocol.outcomes import criterion_met
from studies.selectors import current_protocol

from ..models import CriterionEvent, Participant
from .common import SYSTEM, Path, _audit_created, _locked

WHY_CRITERION = "Post-enrolment criterion %s met on form %s / 入组后标准%s由表单%s判定为满足"
WHY_NO_LONGER_MET = "Criterion %s no longer met after a correction: review / 修正后标准%s不再满足：请复核"
WHY_REVIEWED = "Reviewed by the coordinator / 协调员已复核"


def visit_answers(response: Response) -> dict[str, Any]:
    """`instrument.item` and `instrument.score` -> value over the complete forms of ``response``'s visit.

    A criterion is judged on one visit's forms at a time (the form just saved and its siblings), so a later
    visit's "no infection" does not hide the infection recorded at an earlier one. The saved form's values win
    over another instance of the same instrument.
    """
    siblings = Response.objects.filter(
        participant_id=response.participant_id, visit_code=response.visit_code, status=Response.Status.COMPLETE
    ).exclude(pk=response.pk)
    answers: dict[str, Any] = {}
    for row in [*siblings.order_by("-instance", "activity_key"), response]:
        if row.status != Response.Status.COMPLETE:
            continue
        for name, value in {**(row.values or {}), **(row.scores or {})}.items():
            if value is not None and value != "":
                answers[f"{row.instrument_code}.{name}"] = value
    return answers


@transaction.atomic
def participant_criteria_evaluate(*, participant: Participant, response: Response, user=None) -> list[CriterionEvent]:
    """Judge the protocol's `discontinuation` criteria after ``response`` was saved; return the events raised now.

    Idempotent: a criterion already recorded is not recorded again, whichever form meets it next.
    """
    protocol = current_protocol(participant.study)
    if protocol is None or not protocol.discontinuation or participant.enrolled_on is None:
        return []  # judged after enrolment only: forms of a screening visit never raise one
    participant = _locked(participant)
    answers = visit_answers(response)
    recorded = {event.criterion_code: event for event in participant.criterion_events.select_for_update()}
    raised = []
    for criterion in protocol.discontinuation:
        if not any(name.partition(".")[0] == response.instrument_code for name in criterion.fields):
            continue  # this form says nothing about the criterion
        met = criterion_met(criterion, answers)
        event = recorded.get(criterion.code)
        if met is True and event is None:
            raised.append(_raise(participant, criterion, response, protocol.study.protocol_version, user))
        elif met is False and event is not None and event.response_id == response.pk and not event.needs_review:
            _flag_for_review(event, criterion.code)
    return raised


def _raise(participant: Participant, criterion, response: Response, version: str, user) -> CriterionEvent:
    event = CriterionEvent.objects.create(
        participant=participant,
        criterion_code=criterion.code,
        kind=criterion.kind,
        met_on=timezone.localdate(),
        response=response,
        protocol_version=version,
    )
    _audit_created(event, user=user, path=SYSTEM, reason=WHY_CRITERION % ((criterion.code, response.pk) * 2))
    return event


def _flag_for_review(event: CriterionEvent, code: str) -> None:
    with audited_update(event, user=None, path=SYSTEM, reason=WHY_NO_LONGER_MET % (code, code)):
        event.needs_review, event.reviewed_by, event.reviewed_at = True, None, None
        event.save(update_fields=["needs_review", "reviewed_by", "reviewed_at"])


@transaction.atomic
def criterion_event_review(*, event: CriterionEvent, user, path: str = Path.PAGE) -> CriterionEvent:
    """The coordinator marks the task done: the event stays (and keeps counting in CONSORT)."""
    event = CriterionEvent.objects.select_for_update().get(pk=event.pk)
    if event.reviewed_at is not None:
        return event
    with audited_update(event, user=user, path=path, reason=WHY_REVIEWED):
        event.reviewed_by, event.reviewed_at = user, timezone.now()
        event.save(update_fields=["reviewed_by", "reviewed_at"])
    return event
