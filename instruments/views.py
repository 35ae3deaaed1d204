"""CRF entry, file import, REDCap data dictionaries and the instrument library. Views stay thin."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.csv import csv_response
from core.downloads import attachment
from core.i18n import text_for
from participants.selectors import is_locked
from queries.access import may_raise
from studies.access import study_for_user
from workflows.services import response_submit, responses_import

from . import selectors
from .access import can_enter_data, crf_for_user
from .catalogue import definition_yaml, instrument_catalogue
from .definitions import DefinitionError
from .forms import (
    DataDictionaryUploadForm,
    ResponseImportForm,
    ResponseMetaForm,
    crf_items,
    raw_from_post,
    raw_from_values,
    score_rows,
)
from .importing import read_upload
from .models import Response
from .redcap_dd import data_dictionary_rows, read_data_dictionary
from .registry import get_instrument, get_library

GENERAL_ERRORS = ("lock_version", "reason", "instrument", "form")


def _instance(request) -> int:
    try:
        return max(1, int(request.GET.get("instance", 1)))
    except ValueError:
        raise Http404("bad instance") from None


def response_edit(request, participant_id: int, visit_code: str, activity_key: str):
    crf = crf_for_user(request.user, participant_id, visit_code, activity_key)
    instance = _instance(request)
    response = selectors.response_find(
        participant=crf.participant, visit_code=visit_code, activity_key=activity_key, instance=instance
    )
    instrument = get_instrument(response.instrument_code, response.definition_version) if response else crf.instrument
    meta = ResponseMetaForm(initial={"lock_version": response.lock_version if response else 0})
    raw, errors = raw_from_values(response.values if response else {}), {}
    lock = is_locked(crf.participant, visit_code, response=response)
    writable = crf.can_write and lock is None
    if request.method == "POST":
        if not crf.can_write:
            raise PermissionDenied
        meta = ResponseMetaForm(request.POST)
        raw = raw_from_post(instrument, request.POST)
        if meta.is_valid():
            result = response_submit(
                participant=crf.participant,
                visit_code=visit_code,
                activity_key=activity_key,
                instrument_code=instrument.code,
                raw=raw,
                complete=meta.cleaned_data["action"] == "complete",
                user=request.user,
                source=Response.Source.COORDINATOR,
                expected_lock_version=meta.cleaned_data["lock_version"],
                reason=meta.cleaned_data["reason"],
                instance=instance,
                definition_version=instrument.version,
            )
            if result.ok:
                messages.success(request, _("Saved.") if result.changed else _("No change to save."))
                return redirect(request.get_full_path())
            errors = result.errors
        else:
            errors = {
                "form": {
                    "en": "The form could not be read. Reload the page and try again.",
                    "zh": "无法读取表单。请重新加载页面后再试。",
                }
            }
    context = {
        "crf": crf,
        "instrument": instrument,
        "response": response,
        "meta": meta,
        "instance": instance,
        "writable": writable,
        "locked": lock,
        "may_raise_query": may_raise(request.user, crf.participant.study),
        "items": crf_items(instrument, raw, errors),
        "scores": score_rows(instrument, response.scores if response else {}),
        "general_errors": [text_for(errors[key]) for key in GENERAL_ERRORS if key in errors],
        "item_error_count": len([key for key in errors if key not in GENERAL_ERRORS]),
        "conflict": "lock_version" in errors,
        "reason_error": text_for(errors.get("reason")),
        "was_complete": response is not None and response.status == Response.Status.COMPLETE,
        "title": text_for(instrument.title),
        "instructions": text_for(instrument.instructions),
        "visit_label": text_for(crf.visit.label),
        "entries": _entries(crf, visit_code, activity_key, instance) if instrument.repeating else [],
    }
    status = 409 if "lock_version" in errors else 200
    return render(request, "instruments/response_edit.html", context, status=status)


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
    study = study_for_user(request.user, study_code)
    if not can_enter_data(request.user, study):
        raise PermissionDenied
    form = ResponseImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        csv_text, problem = read_upload(form.cleaned_data["file"])
        if problem:
            form.add_error("file", problem)
        else:
            report = responses_import(
                study=study,
                csv_text=csv_text,
                user=request.user,
                complete=form.cleaned_data["complete"],
                reason=form.cleaned_data["reason"],
            )
    return render(request, "instruments/response_import.html", {"study": study, "form": form, "report": report})


def instrument_list(request):
    return render(request, "instruments/instrument_list.html", {"instruments": instrument_catalogue()})


def _instrument_or_404(instrument_code: str, instrument_version: str):
    try:
        return get_library()[(instrument_code, instrument_version)]
    except KeyError:
        raise Http404("no such instrument") from None


def instrument_detail(request, instrument_code: str, instrument_version: str):
    instrument = _instrument_or_404(instrument_code, instrument_version)
    return render(
        request,
        "instruments/instrument_detail.html",
        {
            "instrument": instrument,
            "versions": get_library().versions(instrument_code),
        },
    )


def instrument_data_dictionary(request, instrument_code: str, instrument_version: str):
    instrument = _instrument_or_404(instrument_code, instrument_version)
    rows = data_dictionary_rows([instrument])
    # An interchange file read back by REDCap, whose action tags (``@EDC=...``) begin with @: no formula guard.
    return csv_response(rows, f"{instrument.code}_{instrument.version}_redcap.csv", guard=False)


def data_dictionary_upload(request):
    """Read a REDCap data dictionary: show what it defines or every problem; offer it as our YAML."""
    form = DataDictionaryUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "instruments": [], "problems": [], "csv_text": ""}
    if request.method == "POST" and request.POST.get("download"):
        return _data_dictionary_yaml(request.POST.get("csv_text", ""), request.POST["download"])
    if request.method == "POST" and form.is_valid():
        csv_text, problem = read_upload(form.cleaned_data["file"])
        if problem:
            form.add_error("file", problem)
        else:
            context["csv_text"] = csv_text
            try:
                context["instruments"] = [
                    {"instrument": one, "yaml": definition_yaml(one)} for one in read_data_dictionary(csv_text)
                ]
            except DefinitionError as error:
                context["problems"] = error.problems
    return render(request, "instruments/datadictionary_upload.html", context)


def _data_dictionary_yaml(csv_text: str, code: str) -> HttpResponse:
    try:
        instruments = read_data_dictionary(csv_text)
    except DefinitionError:
        raise Http404("the data dictionary no longer reads") from None
    for instrument in instruments:
        if instrument.code == code:
            response = HttpResponse(definition_yaml(instrument), content_type="application/x-yaml")
            return attachment(response, f"{instrument.version}.yaml")
    raise Http404("no such form in the data dictionary")
