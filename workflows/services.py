"""Workflows that span apps: one service each, calling the apps' own services in order, no signals.

Apps sit on floors and import only downward (pyproject.toml, [tool.importlinter]); when a write in a low app
must cause effects in higher ones, the workflow here is the one place that says so:

* ``response_submit``: the one write path of CRF answers (page, import, API). Inside one transaction it holds
  the response row, asks the participant's locks, stores the answers (``instruments.services.response_store``)
  and, when they changed, resets the form's verification and the casebook signature (monitoring), re-evaluates
  the treatment-reassessment rules and the anchors a date item of the form sets (participants), syncs the
  adverse-event log (safety) and opens or closes data-quality queries (queries). The plausibility checks (the
  definition's and the protocol's ``kind: check`` rules) run on every path: an error refuses the save; a warning
  is confirmed by a reason (``warnings="confirm"``: the CRF page and the REST API) or accepted as it is
  (``warnings="query"``: the file import, the REDCap import, the survey pages), and either way opens a query.
* ``response_rescore`` / ``responses_rescore``: new scores from today's scorer, and what the change undoes.
* ``responses_import``: a response file, all rows or none, each through ``response_submit``;
  ``responses_import_queue`` stores the file as a ``ResponseImportJob`` (refusing it at once past the row and cell
  limits) and ``response_import_run``, in a Celery task, imports it and keeps the per-row report on the job.
* ``protocol_apply``: load a protocol file (studies) and re-project every participant's visits (participants).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from audit.models import AuditEvent
from audit.services import audit_record
from core.i18n import text_for
from instruments.definitions import scoring_version
from instruments.importing import ImportRow, parse_import
from instruments.models import Response
from instruments.registry import get_instrument
from instruments.selectors import score_lookup_for
from instruments.services import (
    CHECK_PREFIX,
    CONFLICT,
    PATHS,
    WHY_RESCORE,
    SubmitResult,
    instance_problem,
    response_for_update,
    response_store,
)
from instruments.services import response_rescore as scores_recompute
from monitoring.services import response_changed
from participants import services as participant_services
from participants.selectors import participants_for_user, scheduled_activity
from participants.services import lock_for_write, locked_message, participant_reassessment_evaluate
from queries.selectors import confirmed_checks
from queries.services import queries_evaluate_response, query_open_for_override
from safety.services import adverse_event_sync
from studies.protocol.quality import protocol_checks
from studies.selectors import current_protocol, protocol_activity, sites_for_user
from studies.services import LoadResult, protocol_load

from .drafts import response_draft_discard
from .models import ResponseImportJob

logger = logging.getLogger(__name__)

CONFIRM, QUERY = "confirm", "query"
# The reason an accepted, unconfirmed warning's query gives: the path had nobody to ask.
UNCONFIRMED = (
    "Saved without a confirmation (import, API or survey): check the value. / "
    "未经确认保存（导入、接口或问卷）：请核对数值。"
)


__all__ = [
    "ImportReport",
    "SubmitResult",
    "response_import_run",
    "response_rescore",
    "response_submit",
    "responses_import",
    "responses_import_queue",
    "responses_rescore",
]


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
    warnings: str = CONFIRM,
    warning_reason: str = "",
) -> SubmitResult:
    """Clean, score and store one response and run what the change causes; on any problem store nothing.

    The arguments are those of ``instruments.services.response_store``. A locked form, visit or participant
    refuses the write with ``locked`` set. Whichever path it came by, a form that is not repeating has only
    instance 1 (``instance_problem``). ``warnings`` is what a broken plausibility warning does: ``CONFIRM``
    refuses it unless ``warning_reason`` is given, ``QUERY`` accepts it (for a path nobody can confirm on);
    a warning accepted either way opens a query (once per response and check: it is not asked again), for
    ``QUERY`` once the form is complete (a survey's draft pages open none).
    """
    refused = instance_problem(instance)
    if refused is not None:  # out of the column's range: refused before it reaches a query
        return SubmitResult(errors={"instance": refused})
    try:
        with transaction.atomic():
            existing = response_for_update(
                participant=participant, visit_code=visit_code, activity_key=activity_key, instance=instance
            )
            lock = lock_for_write(participant, visit_code, response=existing)
            if lock is not None:
                return SubmitResult(response=existing, errors={"form": locked_message(lock)}, locked=True)
            result = response_store(
                existing=existing,
                participant=participant,
                visit_code=visit_code,
                activity_key=activity_key,
                instrument_code=instrument_code,
                raw=raw,
                complete=complete,
                user=user,
                source=source,
                expected_lock_version=expected_lock_version,
                reason=reason,
                instance=instance,
                definition_version=definition_version,
                path=path,
                checks_for=_protocol_checks(participant, visit_code),
                warning_reason=UNCONFIRMED if warnings == QUERY else warning_reason,
                confirmed=confirmed_checks(existing),
            )
            if result.changed:
                _after_change(result.response, participant=participant, user=user, reason=reason.strip())
                if warnings == CONFIRM or complete:  # an unconfirmed draft is queried once it is complete
                    reason_given = UNCONFIRMED if warnings == QUERY else warning_reason.strip()
                    path_taken = path or PATHS.get(source, AuditEvent.Path.PAGE)
                    _open_override_queries(result, user=user, reason=reason_given, path=path_taken)
            if result.ok and getattr(user, "is_authenticated", False):  # submitted: the user's draft has served
                key = {"visit_code": visit_code, "activity_key": activity_key, "instance": instance}
                response_draft_discard(user=user, participant=participant, **key)
            return result
    except IntegrityError:
        # Two first saves of the same form at once: the other one created the row.
        return SubmitResult(errors={"lock_version": dict(CONFLICT)})


def _protocol_checks(participant, visit_code: str):
    """The study protocol's checks on a form, compiled against the definition the save uses."""
    protocol = current_protocol(participant.study)
    rules = protocol.quality_rules if protocol is not None else ()

    def checks_for(instrument):
        fields = instrument.item_codes() + instrument.score_names()
        return protocol_checks(rules, instrument=instrument.code, visit_code=visit_code, names=fields)

    return checks_for


def _open_override_queries(result: SubmitResult, *, user, reason: str, path: str) -> None:
    for violation in result.overridden:
        query_open_for_override(response=result.response, violation=violation, reason=reason, user=user, path=path)


def _after_change(response: Response, *, participant, user, reason: str) -> None:
    """What a saved change causes, in this order, inside the write's transaction."""
    response_changed(response=response, user=user, reason=reason)  # resets SDV, voids the casebook signature
    participant_reassessment_evaluate(participant=participant, score_lookup=score_lookup_for(participant))
    # An anchor set by a date item of this form follows it, and so do the visits hanging from it.
    participant_services.anchors_from_response(
        participant=participant, instrument_code=response.instrument_code, user=user
    )
    participant_services.participant_criteria_evaluate(participant=participant, response=response, user=user)
    adverse_event_sync(response=response)  # the AE log and SAE clock follow the ae_record CRF
    queries_evaluate_response(response=response)  # opens or auto-closes data-quality queries


@transaction.atomic
def response_rescore(*, response: Response, user=None, path: str = AuditEvent.Path.SYSTEM) -> bool:
    """Recompute a stored response's scores with today's scorer; True when they changed (then SDV resets)."""
    changed = scores_recompute(response=response, user=user, path=path)
    if changed:
        version = response.scoring_version
        response_changed(response=response, user=user, reason=WHY_RESCORE % (version, version))
    return changed


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
    for response in queryset.select_related("participant__study").iterator():
        study = response.participant.study.code
        try:
            instrument = get_instrument(response.instrument_code, response.definition_version, study=study)
        except KeyError:  # a study definition that no longer reads (logged by the registry): leave its scores
            continue
        current = scoring_version(instrument)
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


def responses_import(
    *, study, csv_text: str, user, complete: bool = True, reason: str = "", progress=None
) -> ImportReport:
    """Store every row of a response file through response_submit, or none of them if any row is refused.
    ``progress(done)`` is called every PROGRESS_EVERY rows: the rows are inside one transaction, so the job's task
    reports them outside the database (Celery's result backend)."""
    rows, problem = parse_import(csv_text)
    report = ImportReport(rows, problem)
    if problem:
        return report
    scoped = participants_for_user(user).filter(study=study).prefetch_related("anchor_dates")
    participants = {one.identifier: one for one in scoped}
    with transaction.atomic():
        for done, row in enumerate(rows, start=1):
            _import_row(row, study=study, participants=participants, user=user, complete=complete, reason=reason)
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
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
    elif participant is not None and (refusal := scheduled_activity(participant, row.visit_code, row.activity_key)):
        row.messages.append(text_for(refusal.reason))  # not on this participant's schedule (or not yet)
    if row.messages:
        row.status = "refused"
        return
    activity = found[1]
    try:
        instrument = get_instrument(activity.code, activity.version, study=study.code)
    except KeyError:  # the study's stored definition no longer reads (logged by the registry)
        unreadable = gettext("The definition of form %(activity)s cannot be read.")
        row.messages.append(unreadable % {"activity": row.activity_key})
        row.status = "refused"
        return
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
        warnings=QUERY,  # a file has nobody to confirm a warning: the row is saved and a query opened
    )
    if result.ok:
        row.status = "saved" if result.changed else "unchanged"
        return
    row.status = "refused"
    # An item's error names the item; a plausibility check's message names its items itself.
    row.messages += [
        text_for(error) if code.startswith(CHECK_PREFIX) else f"{code}: {text_for(error)}"
        for code, error in result.errors.items()
    ]


def protocol_apply(
    *, text: str, filename: str, user=None, study=None, reason: str = "", path: str = AuditEvent.Path.PAGE
) -> LoadResult:
    """Load a protocol file (``studies.services.protocol_load``, which says what it checks and raises) and,
    when the study existed before, re-project its participants' visits, in one transaction."""
    with transaction.atomic():
        result = protocol_load(text=text, filename=filename, user=user, study=study, reason=reason, path=path)
        if result.reproject:
            participant_services.visits_reproject_study(study=result.study)
            # An anchor the new version sets by an event takes the date of an event that already happened.
            participant_services.anchors_from_events_study(study=result.study, user=user)
        return result


PROGRESS_EVERY = 50


def responses_import_queue(
    *, study, user, csv_text: str, file_name: str, complete: bool = True, reason: str = ""
) -> ResponseImportJob:
    """Store a response file as a queued job and send its task after the commit. A file that cannot be read, or
    is over RESPONSE_IMPORT_MAX_ROWS rows or RESPONSE_IMPORT_MAX_FIELD_CHARS characters in a cell, is refused
    here (ValidationError) and nothing is stored."""
    rows, problem = parse_import(csv_text)
    if problem:
        raise ValidationError(problem)
    with transaction.atomic():
        job = ResponseImportJob.objects.create(
            study=study,
            uploaded_by=user,
            site_ids=sorted(sites_for_user(user, study).values_list("pk", flat=True)),
            file_name=file_name[:255],
            csv_text=csv_text,
            complete=complete,
            reason=reason,
            language=translation.get_language() or "",
            rows_total=len(rows),
        )
        audit_record(
            user=user,
            action="create",
            instance=job,
            study=study,
            changes={"file_name": [None, job.file_name], "rows_total": [None, job.rows_total]},
            reason=reason,
            path=AuditEvent.Path.IMPORT,
        )
        transaction.on_commit(lambda: _send_import(job.pk))
    return job


def _send_import(job_id: int) -> None:
    from workflows.tasks import response_import_task  # tasks import services, as imaging's jobs_enqueue says

    signature = response_import_task.si(job_id)
    ResponseImportJob.objects.filter(pk=job_id).update(task_id=signature.freeze().id or "")
    signature.apply_async()


def response_import_run(*, job_id: int, progress=None) -> ResponseImportJob:
    """Import a queued job's file (all rows or none) and keep the per-row report on the job; the stored file is
    emptied whatever the outcome. A job that is not queued any more (a redelivered task) is left as it is."""
    with transaction.atomic():
        job = ResponseImportJob.objects.select_for_update().select_related("study", "uploaded_by").get(pk=job_id)
        if job.status != ResponseImportJob.Status.QUEUED:
            return job
        job.status, job.started_at = ResponseImportJob.Status.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        with translation.override(job.language or None):
            report = responses_import(
                study=job.study,
                csv_text=job.csv_text,
                user=job.uploaded_by,
                complete=job.complete,
                reason=job.reason,
                progress=progress,
            )
    except Exception as error:  # noqa: BLE001  (the job must end, and say so, whatever went wrong)
        logger.exception("response import job %s failed", job_id)
        return _import_close(job, ResponseImportJob.Status.FAILED, error=f"{type(error).__name__}: {error}"[:500])
    job.rows_done = len(report.rows)
    job.report = {
        "problem": report.problem,
        "saved": report.saved,
        "rows": [{key: value for key, value in asdict(row).items() if key != "answers"} for row in report.rows],
    }
    status = ResponseImportJob.Status.SUCCEEDED if report.ok else ResponseImportJob.Status.FAILED
    return _import_close(job, status)


def _import_close(job: ResponseImportJob, status: str, *, error: str = "") -> ResponseImportJob:
    with transaction.atomic():
        job.status, job.error, job.finished_at, job.csv_text = status, error, timezone.now(), ""
        job.save(update_fields=["status", "error", "finished_at", "csv_text", "rows_done", "report"])
        audit_record(
            user=None,
            action="update",
            instance=job,
            study=job.study,
            changes={"status": [ResponseImportJob.Status.RUNNING, status], "rows_done": [0, job.rows_done]},
            path=AuditEvent.Path.SYSTEM,
        )
    return job
