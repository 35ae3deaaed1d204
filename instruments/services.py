"""Writes for responses. Every write path (CRF page, file import, API, rescore) goes through here.

Every stored change is written to the audit trail in the same transaction: each changed answer and score
as its own field (``values.phq9_1``, ``scores.total``: [old, new]), the reason for the change and the path
the write came by (the CRF page, an import, the API; a rescore is the system's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from audit.models import AuditEvent
from audit.services import audit_record, diff, snapshot
from core.i18n import text_for
from monitoring.services import lock_for_write, locked_message, response_changed
from participants.selectors import participants_for_user
from queries.services import queries_evaluate_response
from safety.services import adverse_event_sync

from . import scoring
from .definitions import Instrument, clean_responses, compute
from .importing import ImportRow, parse_import
from .models import Response, ResponseRevision
from .registry import get_instrument
from .selectors import protocol_activity, score_lookup_for

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
# The audit path of each source a response can come from.
PATHS = {
    Response.Source.COORDINATOR: AuditEvent.Path.PAGE,
    Response.Source.PARTICIPANT: AuditEvent.Path.PAGE,
    Response.Source.IMPORT: AuditEvent.Path.IMPORT,
    Response.Source.API: AuditEvent.Path.API,
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

    @property
    def ok(self) -> bool:
        return not self.errors

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
    """The scores of cleaned ``values`` and the scoring version that computed them."""
    if not instrument.scorer:
        return {}, ""
    return compute(instrument, values), scoring.scoring_version(instrument.scorer)


def _definition(instrument_code: str, existing: Response | None, version: str | None) -> Instrument | None:
    try:
        return get_instrument(instrument_code, version or (existing.definition_version if existing else None))
    except KeyError:
        return None


def response_submit(
    *,
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
) -> SubmitResult:
    """Clean, score and store one response; on any problem store nothing and say why.

    ``raw`` maps item codes to submitted text (lists for multiple choice). ``complete`` asks for every
    required item. ``expected_lock_version`` is the version the writer started from (0 for a new form):
    a different stored version is a conflict. A complete response changes only with a ``reason``.
    ``path`` is the audit path, by default the one of ``source`` (``PATHS``).
    """
    try:
        with transaction.atomic():
            return _submit(
                participant=participant,
                visit_code=visit_code,
                activity_key=activity_key,
                instrument_code=instrument_code,
                raw=raw,
                complete=complete,
                user=user,
                source=source,
                expected_lock_version=expected_lock_version,
                reason=reason.strip(),
                instance=instance,
                definition_version=definition_version,
                path=path or PATHS.get(source, AuditEvent.Path.PAGE),
            )
    except IntegrityError:
        # Two first saves of the same form at once: the other one created the row.
        return SubmitResult(errors={"lock_version": dict(CONFLICT)})


def _submit(
    *,
    participant,
    visit_code,
    activity_key,
    instrument_code,
    raw,
    complete,
    user,
    source,
    expected_lock_version,
    reason,
    instance,
    definition_version,
    path,
) -> SubmitResult:
    existing = (
        Response.objects.select_for_update()
        .filter(participant=participant, visit_code=visit_code, activity_key=activity_key, instance=instance)
        .first()
    )
    lock = lock_for_write(participant, visit_code, response=existing)
    if lock is not None:
        return SubmitResult(response=existing, errors={"form": locked_message(lock)}, locked=True)
    instrument = _definition(instrument_code, existing, definition_version)
    if instrument is None or (existing is not None and existing.instrument_code != instrument_code):
        return SubmitResult(errors={"instrument": dict(UNKNOWN_INSTRUMENT)})
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
    before = audit_values(existing)
    response = existing or Response(
        participant=participant,
        visit_code=visit_code,
        activity_key=activity_key,
        instance=instance,
        instrument_code=instrument_code,
        definition_version=instrument.version,
    )
    scores, version = scores_for(instrument, cleaned.values)
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
    response_changed(response=response, user=user, reason=reason)  # resets SDV, voids the casebook signature
    _evaluate_reassessment(participant)
    adverse_event_sync(response=response)  # the AE log and SAE clock follow the ae_record CRF
    queries_evaluate_response(response=response)  # opens or auto-closes data-quality queries
    return SubmitResult(response=response, values=cleaned.values, changed=True)


def _evaluate_reassessment(participant) -> None:
    """Let the participants app re-check its score rules (once it offers the service)."""
    from participants import services as participant_services

    evaluate = getattr(participant_services, "participant_reassessment_evaluate", None)
    if evaluate is not None:
        evaluate(participant=participant, score_lookup=score_lookup_for(participant))


@transaction.atomic
def response_rescore(*, response: Response, user=None, path: str = AuditEvent.Path.SYSTEM) -> bool:
    """Recompute the scores of a stored response with today's scorer; True when they changed.

    Stored answers are not re-cleaned or changed and the response keeps its lock version (no revision);
    the audit trail records the old and new scores and scoring version (path "system").
    """
    instrument = get_instrument(response.instrument_code, response.definition_version)
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
    response_changed(response=response, user=user, reason=WHY_RESCORE % (version, version))
    return True


def responses_rescore(
    *, instrument_code: str | None = None, force: bool = False, user=None, path: str = AuditEvent.Path.SYSTEM
) -> dict[str, int]:
    """Rescore every stored response (of one instrument) whose scoring version differs from today's
    (every one with ``force``).

    Returns counts: ``checked`` responses looked at, ``changed`` whose scores changed.
    """
    queryset = Response.objects.exclude(status=Response.Status.NOT_STARTED)
    if instrument_code:
        queryset = queryset.filter(instrument_code=instrument_code)
    checked = changed = 0
    for response in queryset.iterator():
        instrument = get_instrument(response.instrument_code, response.definition_version)
        current = scoring.scoring_version(instrument.scorer) if instrument.scorer else ""
        if current == response.scoring_version and not force:
            continue
        checked += 1
        changed += response_rescore(response=response, user=user, path=path)
    return {"checked": checked, "changed": changed}


@dataclass
class ImportReport:
    """What an import did with each row; ``ok`` only when every row could be saved (then all were)."""

    rows: list[ImportRow]
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem and all(row.status != "refused" for row in self.rows)

    @property
    def saved(self) -> int:
        return sum(row.status == "saved" for row in self.rows)


def responses_import(*, study, csv_text: str, user, complete: bool = True, reason: str = "") -> ImportReport:
    """Store every row of a response file through response_submit, or none of them if any row is refused."""
    rows, problem = parse_import(csv_text)
    report = ImportReport(rows, problem)
    if problem:
        return report
    participants = {one.identifier: one for one in participants_for_user(user).filter(study=study)}
    with transaction.atomic():
        for row in rows:
            _import_row(row, study=study, participants=participants, user=user, complete=complete, reason=reason)
        if not report.ok:
            transaction.set_rollback(True)
            for row in rows:
                if row.status != "refused":
                    row.status = "not_saved"
        else:  # each saved row has its own event; this one says which file run they belong to
            audit_record(
                user=user,
                action=AuditEvent.Action.IMPORT,
                object_type=Response._meta.label_lower,
                study=study,
                reason=reason,
                path=AuditEvent.Path.IMPORT,
                changes={"rows": [None, len(rows)], "saved": [None, report.saved]},
            )
    return report


def _import_row(row: ImportRow, *, study, participants, user, complete: bool, reason: str) -> None:
    participant = participants.get(row.identifier)
    found = protocol_activity(study, visit_code=row.visit_code, activity_key=row.activity_key)
    if participant is None:
        row.messages.append(gettext("Unknown study ID %(id)s.") % {"id": row.identifier})
    if found is None:
        row.messages.append(
            gettext("No form %(activity)s at visit %(visit)s in the current protocol.")
            % {"activity": row.activity_key, "visit": row.visit_code}
        )
    if row.messages:
        row.status = "refused"
        return
    activity = found[1]
    instrument = get_instrument(activity.code, activity.version)
    codes = set(instrument.item_codes())
    raw = {code: value for code, value in row.answers.items() if value or code in codes}
    result = response_submit(
        participant=participant,
        visit_code=row.visit_code,
        activity_key=row.activity_key,
        instrument_code=instrument.code,
        raw=raw,
        complete=complete,
        user=user,
        source=Response.Source.IMPORT,
        reason=reason,
        instance=row.instance,
        definition_version=instrument.version,
    )
    if result.ok:
        row.status = "saved" if result.changed else "unchanged"
        return
    row.status = "refused"
    row.messages += [f"{code}: {text_for(error)}" for code, error in result.errors.items()]
