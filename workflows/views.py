"""Pages whose writes are workflows (workflows.services): the protocol upload, CRF entry, the response import.

Each view is thin: the access check of the app that owns the object, a form, one workflow call, render.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from core.i18n import text_for
from instruments import selectors
from instruments.forms import (
    ResponseImportForm,
    ResponseMetaForm,
    crf_items,
    raw_from_post,
    raw_from_values,
    score_rows,
)
from instruments.importing import read_upload
from instruments.models import Response
from instruments.registry import StoredDefinitionError, instrument_for
from participants.access import can_enter_data, crf_for_user
from participants.selectors import is_locked, next_form_after
from queries.access import may_raise
from queries.selectors import open_counts_by_item
from safety.selectors import sae_status
from studies.access import study_for_protocol_load, study_for_user
from studies.forms import ProtocolConfirmForm, ProtocolUploadForm
from studies.protocol import ProtocolError
from studies.protocol.reader import Problem
from studies.selectors import current_protocol

from .access import import_job_for_user
from .amendments import protocol_preview
from .api import unreadable_message
from .draft_views import CONFLICT_KEPT, conflict_merge, draft_restore
from .draft_views import form_instance as _instance
from .merge import FIELD as MERGE_FIELD
from .merge import merge_apply
from .plausibility import is_check_key, marked_errors, plausibility_context
from .selectors import import_job_rows_done
from .services import protocol_apply, response_submit, responses_import_queue


def protocol_upload(request, study_code: str):
    """Upload a protocol file: an amendment is first previewed (its changes and the visits it moves, nothing
    kept) and loaded only when confirmed; a first file, or one that changes nothing, loads at once."""
    study = study_for_protocol_load(request.user, study_code)
    confirming = request.method == "POST" and "confirm" in request.POST
    form = ProtocolUploadForm() if confirming else ProtocolUploadForm(request.POST or None, request.FILES or None)
    result, preview, problems = None, None, ()
    try:
        if confirming:
            result = _confirmed_load(request, study)
        elif request.method == "POST" and form.is_valid():
            text, filename = form.cleaned_data["text"], form.cleaned_data["file"].name
            preview = protocol_preview(text=text, filename=filename, user=request.user, study=study)
            if not preview.is_amendment:
                result, preview = protocol_apply(text=text, filename=filename, user=request.user, study=study), None
    except ProtocolError as exc:
        problems = exc.problems
    context = {
        "study": study,
        "form": form,
        "result": result,
        "preview": preview,
        "confirm_form": _confirm_form(preview, form),
        "problems": problems,
        "status_label": _status_label(result),
    }
    return render(request, "workflows/protocol_upload.html", context, status=400 if problems or form.errors else 200)


NOT_WHOLE = gettext_noop("the confirmed file did not come back whole: upload it again")


def _confirmed_load(request, study):
    confirm = ProtocolConfirmForm(request.POST)
    if not confirm.is_valid():
        raise ProtocolError([Problem.of("", "", NOT_WHOLE)])
    text, filename = confirm.cleaned_data["text"], confirm.cleaned_data["filename"]
    return protocol_apply(text=text, filename=filename, user=request.user, study=study)


def _confirm_form(preview, form) -> ProtocolConfirmForm | None:
    if preview is None:
        return None
    return ProtocolConfirmForm(initial={"text": form.cleaned_data["text"], "filename": form.cleaned_data["file"].name})


def _status_label(result) -> str:
    if result is None:
        return ""
    return {
        "created": _("Protocol loaded"),
        "unchanged": _("Nothing changed: this file is already loaded"),
        "amended": _("Amendment loaded"),
    }[result.status]


GENERAL_ERRORS = ("lock_version", "reason", "instrument", "form", "instance")


def response_edit(request, participant_id: int, visit_code: str, activity_key: str):
    try:
        crf = crf_for_user(request.user, participant_id, visit_code, activity_key)
    except StoredDefinitionError as error:  # only this study's form: the page says so, the server keeps serving
        context = {"message": unreadable_message(error)}
        return render(request, "workflows/definition_unreadable.html", context, status=503)
    instance = _instance(request)
    response = selectors.response_find(
        participant=crf.participant, visit_code=visit_code, activity_key=activity_key, instance=instance
    )
    instrument = (
        instrument_for(crf.participant, response.instrument_code, response.definition_version)
        if response
        else crf.instrument
    )
    meta = ResponseMetaForm(initial={"lock_version": response.lock_version if response else 0})
    raw, errors, violations = raw_from_values(response.values if response else {}), {}, []
    if crf.refusal is not None and (request.method == "POST" or response is None):
        return _not_scheduled(request, crf)
    lock = is_locked(crf.participant, visit_code, response=response)
    writable = crf.may_save and lock is None
    # On opening the form, the user's draft of it comes back where they left it.
    shown = (raw, meta)
    drafts, raw, meta = draft_restore(request, crf, instance, response, instrument, writable=writable, shown=shown)
    if request.method == "POST":
        if not crf.can_write:
            raise PermissionDenied
        meta = ResponseMetaForm(request.POST)
        raw = merge_apply(raw_from_post(instrument, request.POST), request.POST, response.values if response else {})
        if meta.is_valid():
            result = response_submit(
                participant=crf.participant,
                visit_code=visit_code,
                activity_key=activity_key,
                instrument_code=instrument.code,
                raw=raw,
                complete=meta.cleaned_data["action"] in ("complete", "complete_next"),
                user=request.user,
                source=Response.Source.COORDINATOR,
                expected_lock_version=meta.cleaned_data["lock_version"],
                reason=meta.cleaned_data["reason"],
                instance=instance,
                definition_version=instrument.version,
                warning_reason=meta.cleaned_data["warning_reason"],
            )
            if result.ok:
                messages.success(request, _("Saved.") if result.changed else _("No change to save."))
                _warn_of_sae(request, result.response)
                if meta.cleaned_data["action"] == "complete_next":
                    return redirect(_next_form_url(crf))
                return redirect(request.get_full_path())
            errors, violations = result.errors, result.violations
            if result.conflict:  # the user's answers stay in the form, beside the stored ones, to merge
                drafts.merge, meta, response = conflict_merge(
                    crf=crf, instance=instance, instrument=instrument, raw=raw, meta=meta
                )
                errors = {**errors, "lock_version": dict(CONFLICT_KEPT)}
        else:
            errors = {
                "form": {
                    "en": "The form could not be read. Reload the page and try again.",
                    "zh": "无法读取表单。请重新加载页面后再试。",
                }
            }
    open_queries = open_counts_by_item(participant=crf.participant, visit_code=visit_code, activity_key=activity_key)
    items = crf_items(
        instrument, raw, marked_errors(instrument, errors, violations), response.scores if response else {}
    )
    for item in items:  # the CRF marks each field that has an open query
        item["open_queries"] = open_queries.get(item["code"], 0)
    context = {
        "crf": crf,
        "instrument": instrument,
        "response": response,
        "open_query_count": sum(open_queries.values()),
        "meta": meta,
        "instance": instance,
        "writable": writable,
        "locked": lock,
        "may_raise_query": may_raise(request.user, crf.participant.study),
        "items": items,
        "scores": score_rows(instrument, response.scores if response else {}, response.values if response else None),
        "general_errors": [text_for(errors[key]) for key in GENERAL_ERRORS if key in errors],
        "item_error_count": len([key for key in errors if key not in GENERAL_ERRORS and not is_check_key(key)]),
        "conflict": "lock_version" in errors,
        "reason_error": text_for(errors.get("reason")),
        "was_complete": response is not None and response.status == Response.Status.COMPLETE,
        "title": text_for(instrument.title),
        "instructions": text_for(instrument.instructions),
        "visit_label": text_for(crf.visit.label),
        "entries": _entries(crf, visit_code, activity_key, instance) if instrument.repeating else [],
        "not_scheduled": text_for(crf.refusal.reason) if crf.refusal else "",
        "sae": sae_status(response),
        **plausibility_context(errors, violations),
        "draft": drafts.draft,
        "merge_rows": drafts.merge,
        "merge_field": MERGE_FIELD,
    }
    status = 409 if "lock_version" in errors else 200
    return render(request, "workflows/response_edit.html", context, status=status)


def _next_form_url(crf) -> str:
    """The visit's next form that is not complete, else the visit page (every form done: record the visit)."""
    protocol = current_protocol(crf.participant.study)
    key = next_form_after(crf.participant, crf.visit.code, crf.activity.key, protocol)
    if key is not None:
        return reverse("workflows:response-edit", args=[crf.participant.pk, crf.visit.code, key])
    visit = crf.participant.visits.filter(visit_code=crf.visit.code).order_by("sequence").first()
    if visit is None:  # an unscheduled visit has no visit page
        return reverse("participants:participant-detail", args=[crf.participant.pk])
    return reverse("participants:visit-detail", args=[crf.participant.pk, visit.pk])


def _warn_of_sae(request, response) -> None:
    """Saving a serious event says so at once, with how many reports are already overdue (the page lists them)."""
    sae = sae_status(response)
    if sae is None:
        return
    if sae.overdue:
        text = ngettext(
            "Serious adverse event: %(count)s report is already overdue. Its deadlines are listed below.",
            "Serious adverse event: %(count)s reports are already overdue. Their deadlines are listed below.",
            len(sae.overdue),
        )
        messages.error(request, text % {"count": len(sae.overdue)})
    else:
        messages.warning(request, _("Serious adverse event: its reporting deadlines are listed below."))


def _not_scheduled(request, crf):
    """The participant's schedule does not hold this form: say why, save nothing (answers stored before the
    rule existed are still shown read-only by a GET)."""
    context = {"crf": crf, "reason": text_for(crf.refusal.reason), "visit_label": text_for(crf.visit.label)}
    return render(request, "workflows/response_not_scheduled.html", context, status=404)


def _entries(crf, visit_code: str, activity_key: str, instance: int) -> list[dict]:
    """Links to every entry of a repeating form, and to a new one."""
    stored = selectors.response_instances(participant=crf.participant, visit_code=visit_code, activity_key=activity_key)
    numbers = [one.instance for one in stored]
    entries = [
        {"instance": one.instance, "status": one.get_status_display(), "current": one.instance == instance}
        for one in stored
    ]
    if instance not in numbers:
        entries.append({"instance": instance, "status": _("Not started"), "current": True})
    entries.append({"instance": max(numbers + [instance]) + 1, "status": "", "current": False, "new": True})
    return entries


def response_import(request, study_code: str):
    """Upload a response file: refused at once when it cannot be read or is over the limits, else queued as a job."""
    study = study_for_user(request.user, study_code)
    if not can_enter_data(request.user, study):
        raise PermissionDenied
    form = ResponseImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        csv_text, problem = read_upload(upload)
        if not problem:
            try:
                job = responses_import_queue(
                    study=study,
                    user=request.user,
                    csv_text=csv_text,
                    file_name=upload.name,
                    complete=form.cleaned_data["complete"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                problem = error.messages[0]
            else:
                return redirect("workflows:response-import-job", study_code=study.code, import_job_id=job.pk)
        form.add_error("file", problem)
    context = {"study": study, "form": form, "max_rows": settings.RESPONSE_IMPORT_MAX_ROWS}
    return render(request, "workflows/response_import.html", context)


def response_import_job(request, study_code: str, import_job_id: int):
    """A queued import's progress, then its per-row report."""
    study = study_for_user(request.user, study_code)
    job = import_job_for_user(request.user, study, import_job_id)
    context = {"study": study, "job": job, "rows_done": import_job_rows_done(job)}
    return render(request, "workflows/response_import_job.html", context)
