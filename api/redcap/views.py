"""The one endpoint, ``POST /redcap/api/``: read the parameters, find the caller by token, answer the content.

No session and no CSRF (a script's token is its credential); every answer is REDCap's: 200 with the data, or
REDCap's error body and status (400, 403 for a bad token, 429 past the token's rate, 501 for a content REDCap
has and this server does not).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt

from instruments.registry import StoredDefinitionError

from .caller import Throttled, caller_for
from .contents import dictionary, info, misc, record_import, records, schedule
from .wire import BAD_CONTENT, NO_PERMISSION, Params, RedcapError, error_response

# A record import puts the whole dataset in one field, and PyCap sends one fields[i] per field: this endpoint
# reads its own url-encoded body, with these bounds instead of Django's (2.5 MB, 1000 fields).
MAX_BODY = 256 * 1024 * 1024
MAX_FIELDS = 100_000
NOT_IMPLEMENTED = "The requested method is not implemented."
# Contents REDCap has that this server does not answer (a 501, which redcapAPI does not retry).
UNIMPLEMENTED = {
    "userRole",
    "userRoleMapping",
    "userDagMapping",
    "log",
    "report",
    "pdf",
    "fileRepository",
    "surveyLink",
    "surveyQueueLink",
    "surveyAccessCode",
    "surveyReturnCode",
    "participantList",
}


def _record(caller, params, action):
    if action == "import":
        return record_import.import_records(caller, params)
    if action == "delete":
        return misc.delete_records(caller, params)
    return records.export(caller, params)


HANDLERS = {
    "version": info.version,
    "project": info.project,
    "metadata": dictionary.metadata,
    "exportFieldNames": dictionary.export_field_names,
    "instrument": dictionary.instrument,
    "arm": schedule.arm,
    "event": schedule.event,
    "formEventMapping": schedule.form_event_mapping,
    "repeatingFormsEvents": schedule.repeating_forms_events,
    "dag": schedule.dag,
    "record": _record,
    "generateNextRecordName": misc.next_record_name,
    "file": misc.file,
    "user": misc.user,
}


def read_params(request) -> Params:
    if request.content_type == "application/x-www-form-urlencoded" and not hasattr(request, "_post"):
        raw = request.read(MAX_BODY + 1)
        if len(raw) > MAX_BODY:
            raise RedcapError(f"The request is larger than {MAX_BODY // (1024 * 1024)} MB.", status=413)
        try:
            pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
        except (UnicodeDecodeError, ValueError):
            raise RedcapError("The request body is not valid UTF-8 form data.") from None
        return Params.of(pairs)
    return Params.of((key, value) for key, values in request.POST.lists() for value in values)


def _answer(params: Params):
    caller = caller_for(params.get("token"))
    content = params.get("content")
    handler = HANDLERS.get(content)
    if handler is None:
        if content in UNIMPLEMENTED:
            raise RedcapError(NOT_IMPLEMENTED, status=501)
        raise RedcapError(BAD_CONTENT)
    if caller.study is None and content not in ("project", "version"):
        raise RedcapError("A super token may only create projects (content=project): use a project token.")
    # REDCap's record and metadata imports carry no action: the data parameter makes them imports.
    action = params.get("action", "import" if params.values.get("data") else "export").lower()
    return handler(caller, params, action)


@csrf_exempt
@login_not_required
def endpoint(request):
    if request.method != "POST":
        return error_response(RedcapError("The API accepts only POST requests.", status=405), "xml")
    try:
        params = read_params(request)
    except RedcapError as error:
        return error_response(error, "xml")
    try:
        return _answer(params)
    except Throttled as error:
        answer = error_response(error, params.error_format())
        answer["Retry-After"] = str(error.wait)
        return answer
    except RedcapError as error:
        return error_response(error, params.error_format())
    except PermissionDenied:
        return error_response(RedcapError(NO_PERMISSION, status=403), params.error_format())
    except Http404:
        return error_response(RedcapError("The record or form is not in this project."), params.error_format())
    except StoredDefinitionError as error:
        message = f"The study's definition of {error.code} {error.version} no longer reads."
        return error_response(RedcapError(message, status=400), params.error_format())
