"""Writes for queries: raise, answer, close, reopen, and the data-quality rules that open and close
queries by themselves. Every change is audited in the same transaction.

Status changes::

    open ──answer──> answered ──close──> closed
      │                 │  └──reopen──> reopened ──answer──> answered
      └─────close───────┘                 │
    closed ──reopen──> reopened          └──close──> closed

Answer: Coordinator or PI. Raise, close, reopen: Monitor or Data manager. Rule queries are raised and,
when the data no longer break the rule, closed by the system (user None).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.capabilities import QUERY_ASSIGNEE, Action, can
from audit.models import AuditEvent
from audit.services import audit_record, snapshot
from participants.models import Participant
from studies.models import Study
from studies.selectors import current_protocol

from . import access
from .models import Query, QueryMessage
from .rules import RESPONSE, evaluate
from .selectors import participant_data

S = Query.Status
TRANSITIONS = {
    "answer": ({S.OPEN, S.REOPENED}, S.ANSWERED, Action.ANSWER_QUERY),
    "close": ({S.OPEN, S.ANSWERED, S.REOPENED}, S.CLOSED, Action.RAISE_QUERY),
    "reopen": ({S.ANSWERED, S.CLOSED}, S.REOPENED, Action.RAISE_QUERY),
}
TEXT_REQUIRED = {"answer", "reopen"}
AUTO_CLOSED = "Closed automatically: the data no longer break the rule. / 数据已不再违反该规则，自动关闭。"
AUTO_REOPENED = "Reopened automatically: the data break the rule again. / 数据再次违反该规则，自动重新开启。"
WARNING_CONFIRMED = "Warning confirmed when the form was saved, with this reason: / 保存表单时已确认警告，原因："
AUTO_RAISED = "Raised automatically by a data-quality rule. / 由数据质量规则自动提出。"


class QueryError(ValueError):
    """An action the query's status does not allow, or a missing text."""


def allowed_actions(user, query: Query) -> list[str]:
    return [
        name
        for name, (sources, _target, needed) in TRANSITIONS.items()
        if query.status in sources and can(user, query.study, needed)
    ]


def _audit(query: Query, *, user, action, changes: dict, path: str) -> None:
    audit_record(
        user=user, action=action, instance=query, changes=changes, path=path, object_label=f"Query #{query.pk}"
    )


def _message(query: Query, *, author, text: str, status_from: str = "", status_to: str = "") -> QueryMessage:
    return QueryMessage.objects.create(
        query=query, author=author, text=text, status_from=status_from, status_to=status_to
    )


def query_raise(
    *,
    user,
    participant,
    visit_code: str,
    activity_key: str,
    text: str,
    item_code: str = "",
    response=None,
    path: str = AuditEvent.Path.PAGE,
) -> Query:
    """A reviewer's query on a form (``response`` when it was saved) or one of its fields."""
    if not access.may_raise(user, participant.study):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise QueryError("text")
    with transaction.atomic():
        query = Query.objects.create(
            study=participant.study,
            site=participant.site,
            participant=participant,
            object_type=RESPONSE,
            object_id=str(response.pk) if response is not None else "",
            visit_code=visit_code,
            activity_key=activity_key,
            item_code=item_code,
            text=text,
            origin=Query.Origin.MANUAL,
            raised_by=user,
            assigned_role=QUERY_ASSIGNEE,
        )
        _message(query, author=user, text=text, status_to=S.OPEN)
        _audit(
            query,
            user=user,
            action=AuditEvent.Action.CREATE,
            changes={key: [None, value] for key, value in snapshot(query).items() if value not in ("", None)},
            path=path,
        )
    return query


def query_transition(*, query: Query, user, action: str, text: str = "", path: str = AuditEvent.Path.PAGE) -> Query:
    """Answer, close or reopen ``query`` (see TRANSITIONS); refuses what the role or status does not allow."""
    if action not in TRANSITIONS:
        raise QueryError("action")
    sources, target, needed = TRANSITIONS[action]
    if not can(user, query.study, needed):
        raise PermissionDenied
    text = (text or "").strip()
    if action in TEXT_REQUIRED and not text:
        raise QueryError("text")
    with transaction.atomic():
        query = Query.objects.select_for_update().get(pk=query.pk)
        if query.status not in sources:
            raise QueryError("status")
        before = query.status
        query.status, query.auto_closed = target, False
        query.save(update_fields=["status", "auto_closed", "updated_at"])
        _message(query, author=user, text=text, status_from=before, status_to=target)
        _audit(
            query,
            user=user,
            action=_audit_action(target),
            path=path,
            changes={"status": [before, target], "message": [None, text]},
        )
    return query


def _audit_action(status: str) -> str:
    return {S.CLOSED: AuditEvent.Action.COMPLETE, S.REOPENED: AuditEvent.Action.REOPEN}.get(
        status, AuditEvent.Action.UPDATE
    )


def query_answer(*, query: Query, user, text: str, path: str = AuditEvent.Path.PAGE) -> Query:
    return query_transition(query=query, user=user, action="answer", text=text, path=path)


def query_close(*, query: Query, user, text: str = "", path: str = AuditEvent.Path.PAGE) -> Query:
    return query_transition(query=query, user=user, action="close", text=text, path=path)


def query_reopen(*, query: Query, user, text: str, path: str = AuditEvent.Path.PAGE) -> Query:
    return query_transition(query=query, user=user, action="reopen", text=text, path=path)


def query_open_for_override(*, response, violation, reason: str, user, path: str = AuditEvent.Path.PAGE) -> Query:
    """A plausibility warning confirmed with ``reason`` (``instruments.definitions.plausibility.Violation``): a query
    on the response, in the check's words, whose first message is the reason, so a monitor reviews it.

    Opened by the system on behalf of whoever saved the form (a coordinator may not raise queries), in the save's
    transaction; ``raised_by`` stays empty and the reason's message is the saver's."""
    return _opened_by_system(
        response.participant,
        author=user if getattr(user, "is_authenticated", False) else None,
        message=WARNING_CONFIRMED + "\n" + reason.strip(),
        path=path,
        object_type=RESPONSE,
        object_id=str(response.pk),
        visit_code=response.visit_code,
        activity_key=response.activity_key,
        item_code=violation.items[-1] if violation.items else "",
        text=violation.message.en,
        text_zh=violation.message.zh,
        detail=reason.strip()[:300],
        origin=Query.Origin.OVERRIDE,
        rule_code=violation.code,
    )


def _opened_by_system(participant, *, author, message: str, path: str, **fields) -> Query:
    """A query the system opens (a rule's, a confirmed warning's): its first message and its audit row."""
    query = Query.objects.create(
        study=participant.study,
        site=participant.site,
        participant=participant,
        assigned_role=QUERY_ASSIGNEE,
        **fields,
    )
    _message(query, author=author, text=message, status_to=S.OPEN)
    _audit(
        query,
        user=author,
        action=AuditEvent.Action.CREATE,
        path=path,
        changes={key: [None, value] for key, value in snapshot(query).items() if value not in ("", None, False)},
    )
    return query


# --- Data-quality rules -------------------------------------------------------------------------------


def _system_change(query: Query, *, status: str, message: str, path: str, detail: str | None = None) -> None:
    before = query.status
    query.status, query.auto_closed = status, status == S.CLOSED
    fields = ["status", "auto_closed", "updated_at"]
    changes = {"status": [before, status]}
    if detail is not None and detail != query.detail:
        changes["detail"] = [query.detail, detail]
        query.detail = detail
        fields.append("detail")
    query.save(update_fields=fields)
    _message(query, author=None, text=message, status_from=before, status_to=status)
    _audit(query, user=None, action=_audit_action(status), changes=changes, path=path)


def _open_rule_query(participant, rule, finding, path: str) -> None:
    _opened_by_system(
        participant,
        author=None,
        message=AUTO_RAISED + "\n" + finding.detail,
        path=path,
        object_type=finding.object_type,
        object_id=finding.object_id,
        visit_code=finding.visit_code,
        activity_key=finding.activity_key,
        item_code=finding.item_code,
        text=rule.message.en,
        text_zh=rule.message.zh,
        detail=finding.detail,
        origin=Query.Origin.RULE,
        rule_code=rule.code,
    )


def queries_evaluate_participant(*, participant, protocol=None, path: str = AuditEvent.Path.SYSTEM) -> dict:
    """Open, reopen and auto-close the rule queries of one participant; returns counts per change."""
    protocol = protocol or current_protocol(participant.study)
    counts = {"opened": 0, "reopened": 0, "closed": 0}
    if protocol is None or not protocol.quality_rules:
        return counts
    rules = {rule.code: rule for rule in protocol.quality_rules}
    with transaction.atomic():
        existing = {
            (q.rule_code, q.object_type, q.object_id): q
            for q in Query.objects.select_for_update().filter(
                participant=participant, origin=Query.Origin.RULE, rule_code__in=list(rules)
            )
        }
        findings = {f.key: f for f in evaluate(protocol.quality_rules, participant_data(participant, protocol))}
        for key, finding in findings.items():
            query = existing.get(key)
            if query is None:
                _open_rule_query(participant, rules[finding.rule_code], finding, path)
                counts["opened"] += 1
            elif query.is_closed and query.auto_closed:
                _system_change(
                    query,
                    status=S.REOPENED,
                    message=AUTO_REOPENED + "\n" + finding.detail,
                    path=path,
                    detail=finding.detail,
                )
                counts["reopened"] += 1
        for key, query in existing.items():
            if key not in findings and not query.is_closed:
                _system_change(query, status=S.CLOSED, message=AUTO_CLOSED, path=path)
                counts["closed"] += 1
    return counts


def queries_evaluate_response(*, response) -> dict:
    """The hook response_submit calls after a save, inside its transaction."""
    return queries_evaluate_participant(participant=response.participant)


def quality_rules_evaluate(*, study, path: str = AuditEvent.Path.SYSTEM) -> dict:
    """Evaluate every quality rule of ``study``'s current protocol for each of its participants."""
    protocol = current_protocol(study)
    totals = {"participants": 0, "opened": 0, "reopened": 0, "closed": 0}
    if protocol is None or not protocol.quality_rules:
        return totals
    for participant in Participant.objects.filter(study=study).select_related("study", "site").iterator():
        counts = queries_evaluate_participant(participant=participant, protocol=protocol, path=path)
        totals["participants"] += 1
        for key, value in counts.items():
            totals[key] += value
    return totals


def quality_rules_evaluate_all(*, path: str = AuditEvent.Path.SYSTEM) -> dict:
    """Every active study (the nightly batch): {study code: counts}."""
    studies = Study.objects.filter(is_active=True).order_by("code")
    return {study.code: quality_rules_evaluate(study=study, path=path) for study in studies}
