"""Writes for responses: store one, rescore one. Every interface (CRF page, file import, API, rescore command)
calls them through ``workflows.services``, which checks the participant's locks first and, after a change,
runs in order what it causes in the apps above (SDV reset, reassessment, AE log, data-quality queries).

Every stored change is written to the audit trail in the same transaction: each changed answer and score
as its own field (``values.phq9_1``, ``scores.total``: [old, new]), the reason for the change and the path
the write came by (the CRF page, an import, the API; a rescore is the system's).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record, diff, snapshot
from core import validation

from .definitions import Instrument, clean_responses, compute, scoring_version
from .definitions.model import Check
from .definitions.plausibility import Violation, violations
from .models import Response, ResponseRevision
from .registry import instrument_for

CONFLICT = {
    "en": "Someone else saved this form after you opened it. Nothing was overwritten: reload the form to see "
    "their answers, then enter your changes again.",
    "zh": "在您打开此表单后，其他人已保存了该表单。未覆盖任何内容：请重新加载表单查看其答案，然后重新输入您的修改。",
}
REASON_REQUIRED = {
    "en": "This form was complete: give a reason for the change.",
    "zh": "此表单已完成：请填写修改原因。",
}
UNKNOWN_INSTRUMENT = {"en": "Unknown instrument.", "zh": "未知的量表。"}
NOT_REPEATING = {
    "en": "This form is not repeating: it has exactly one entry per visit (instance 1).",
    "zh": "此表单不可重复：每次访视只有一条记录（实例 1）。",
}
# The audit path of each source a response can come from.
PATHS = {
    Response.Source.COORDINATOR: AuditEvent.Path.PAGE,
    Response.Source.PARTICIPANT: AuditEvent.Path.PAGE,
    Response.Source.IMPORT: AuditEvent.Path.IMPORT,
    Response.Source.API: AuditEvent.Path.API,
}
CHECK_PREFIX = "check:"  # an errors key naming a plausibility check, not an item
WARNING_REASON_REQUIRED = {
    "en": "Confirm each warning with a reason, or correct the answers.",
    "zh": "请填写原因以确认每条警告，或更正答案。",
}
WHY_RESCORE = "Rescored with scoring version %s / 按评分版本%s重新计分"


@dataclass
class SubmitResult:
    """The saved response, or why nothing was saved: ``errors`` maps an item code (or ``lock_version``,
    ``reason``, ``instrument``) to a message in English and Chinese."""

    response: Response | None = None
    errors: dict[str, dict[str, str]] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    changed: bool = False
    locked: bool = False  # refused because a data manager locked the form, its visit or the participant
    violations: list[Violation] = field(default_factory=list)  # the plausibility checks the answers break
    overridden: list[Violation] = field(default_factory=list)  # warnings confirmed by this save: open queries

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def needs_confirmation(self) -> bool:
        """Refused only for warnings that a reason would confirm (no error, no other problem)."""
        warnings = {CHECK_PREFIX + v.code for v in self.violations if not v.is_error}
        return bool(self.errors) and set(self.errors) <= warnings | {"warning_reason"}

    @property
    def conflict(self) -> bool:
        return "lock_version" in self.errors


def audit_values(response: Response | None) -> dict[str, Any]:
    """The response as the audit trail compares it: one entry per answer and per score."""
    if response is None:
        return {}
    values = snapshot(
        response,
        ["definition_version", "status", "source", "entered_by", "lock_version", "scoring_version", "completed_at"],
    )
    values |= {f"values.{code}": value for code, value in (response.values or {}).items()}
    values |= {f"scores.{name}": value for name, value in (response.scores or {}).items()}
    return values


def scores_for(instrument: Instrument, values: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The scores of cleaned ``values`` (the scorer's, calculated items, expression scores) and the scoring
    version that computed them."""
    return compute(instrument, values), scoring_version(instrument)


def _definition(instrument_code: str, existing: Response | None, version: str | None, participant) -> Instrument | None:
    try:
        version = version or (existing.definition_version if existing else None)
        return instrument_for(participant, instrument_code, version)
    except KeyError:
        return None


def instance_problem(instance: int, instrument: Instrument | None = None) -> dict[str, str] | None:
    """Why ``instance`` cannot be stored (out of the column's 32-bit range, or not 1 for a form that is not
    repeating), or None."""
    try:
        validation.check_instance(int(instance))
    except validation.InputRefused as problem:
        return problem.message
    if instrument is not None and not instrument.repeating and instance != 1:
        return dict(NOT_REPEATING)
    return None


def response_for_update(*, participant, visit_code: str, activity_key: str, instance: int = 1) -> Response | None:
    """The stored response, its row held until the end of the caller's transaction (None for a new form)."""
    return (
        Response.objects.select_for_update()
        .filter(participant=participant, visit_code=visit_code, activity_key=activity_key, instance=instance)
        .first()
    )


def response_store(
    *,
    existing: Response | None,
    participant,
    visit_code: str,
    activity_key: str,
    instrument_code: str,
    raw,
    complete: bool,
    user,
    source: str,
    expected_lock_version: int | None = None,
    reason: str = "",
    instance: int = 1,
    definition_version: str | None = None,
    path: str | None = None,
    checks_for: Callable[[Instrument], Sequence[Check]] | None = None,
    warning_reason: str = "",
    confirmed: Collection[str] = (),
) -> SubmitResult:
    """Clean, score and store one response inside the caller's transaction; on any problem store nothing.

    The one write path is ``workflows.services.response_submit``: it holds the row (``response_for_update``),
    asks the participant's locks first and runs what a saved change causes; nothing else calls this.
    ``raw`` maps item codes to submitted text (lists for multiple choice). ``complete`` asks for every
    required item. ``expected_lock_version`` is the version the writer started from (0 for a new form):
    a different stored version is a conflict. A complete response changes only with a ``reason``.
    ``path`` is the audit path, by default the one of ``source`` (``PATHS``).

    Plausibility: the definition's checks and ``checks_for(instrument)`` (the protocol's) run on the cleaned
    answers and scores. A broken ``error`` check refuses the save; a broken ``warning`` refuses it too unless
    ``warning_reason`` confirms it or its code is in ``confirmed`` (confirmed earlier for this response). The
    result lists the warnings this save confirmed in ``overridden``: the caller opens a query for each.
    """
    reason = reason.strip()
    path = path or PATHS.get(source, AuditEvent.Path.PAGE)
    instrument = _definition(instrument_code, existing, definition_version, participant)
    if instrument is None or (existing is not None and existing.instrument_code != instrument_code):
        return SubmitResult(errors={"instrument": dict(UNKNOWN_INSTRUMENT)})
    refused = instance_problem(instance, instrument)
    if refused is not None:  # a hidden second entry of a single form would decide the scores the rules read
        return SubmitResult(response=existing, errors={"instance": refused})
    stored_version = existing.lock_version if existing else 0
    if expected_lock_version is not None and int(expected_lock_version) != stored_version:
        return SubmitResult(response=existing, errors={"lock_version": dict(CONFLICT)})
    cleaned = clean_responses(instrument, raw, complete=complete)
    if not cleaned.ok:
        return SubmitResult(response=existing, errors=dict(cleaned.errors), values=cleaned.values)
    status = Response.Status.COMPLETE if complete else Response.Status.IN_PROGRESS
    if existing is not None and existing.values == cleaned.values and existing.status == status:
        return SubmitResult(response=existing, values=cleaned.values)
    if existing is not None and existing.status == Response.Status.COMPLETE and not reason:
        return SubmitResult(response=existing, errors={"reason": dict(REASON_REQUIRED)}, values=cleaned.values)
    scores, version = scores_for(instrument, cleaned.values)
    checks = instrument.checks + tuple(checks_for(instrument) if checks_for else ())
    found = violations(checks, cleaned.values, scores)
    refusal = plausibility_refusal(found, warning_reason=warning_reason, confirmed=confirmed)
    if refusal:
        return SubmitResult(response=existing, errors=refusal, values=cleaned.values, violations=found)
    before = audit_values(existing)
    response = existing or Response(
        participant=participant,
        visit_code=visit_code,
        activity_key=activity_key,
        instance=instance,
        instrument_code=instrument_code,
        definition_version=instrument.version,
    )
    response.values, response.scores, response.scoring_version = cleaned.values, scores, version
    response.completed_at = (response.completed_at or timezone.now()) if complete else None
    response.status, response.source = status, source
    response.entered_by = user if getattr(user, "is_authenticated", False) else None
    response.lock_version = stored_version + 1
    response.save()
    ResponseRevision.objects.create(
        response=response,
        lock_version=response.lock_version,
        values=response.values,
        scores=response.scores,
        status=response.status,
        source=source,
        reason=reason,
        changed_by=response.entered_by,
    )
    audit_record(
        user=response.entered_by,
        action=AuditEvent.Action.UPDATE if existing else AuditEvent.Action.CREATE,
        instance=response,
        changes=diff(before, audit_values(response)),
        reason=reason,
        path=path,
    )
    overridden = [v for v in found if not v.is_error and v.code not in confirmed]
    return SubmitResult(response=response, values=cleaned.values, changed=True, violations=found, overridden=overridden)


def plausibility_refusal(
    found: Sequence[Violation], *, warning_reason: str, confirmed: Collection[str]
) -> dict[str, dict[str, str]]:
    """The errors that refuse a save: every broken error check, and the warnings neither confirmed before nor
    by ``warning_reason`` (then also ``warning_reason``, which is what would confirm them)."""
    errors = {CHECK_PREFIX + v.code: v.message.to_dict() for v in found if v.is_error}
    pending = [v for v in found if not v.is_error and v.code not in confirmed]
    if pending and not warning_reason.strip():
        errors |= {CHECK_PREFIX + v.code: v.message.to_dict() for v in pending}
        errors["warning_reason"] = dict(WARNING_REASON_REQUIRED)
    return errors


@transaction.atomic
def response_rescore(*, response: Response, user=None, path: str = AuditEvent.Path.SYSTEM) -> bool:
    """Recompute the scores of a stored response with today's scorer; True when they changed.

    Stored answers are not re-cleaned or changed and the response keeps its lock version (no revision);
    the audit trail records the old and new scores and scoring version (path "system"). Called through
    ``workflows.services.response_rescore``, which also resets what the change undoes.
    """
    instrument = instrument_for(response.participant, response.instrument_code, response.definition_version)
    scores, version = scores_for(instrument, response.values)
    if scores == response.scores and version == response.scoring_version:
        return False
    before = audit_values(response)
    response.scores, response.scoring_version = scores, version
    response.save(update_fields=["scores", "scoring_version", "updated_at"])
    audit_record(
        user=user,
        action=AuditEvent.Action.UPDATE,
        instance=response,
        path=path,
        changes=diff(before, audit_values(response)),
        reason=WHY_RESCORE % (version, version),
    )
    return True
