"""Pages whose writes are workflows (workflows.services): the protocol upload, CRF entry, the response import.

Each view is thin: the access check of the app that owns the object, a form, one workflow call, render.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from studies.access import study_for_protocol_load
from studies.forms import ProtocolUploadForm
from studies.protocol import ProtocolError

from .services import protocol_apply


def protocol_upload(request, study_code: str):
    study = study_for_protocol_load(request.user, study_code)
    form = ProtocolUploadForm(request.POST or None, request.FILES or None)
    result, problems = None, ()
    if request.method == "POST" and form.is_valid():
        try:
            result = protocol_apply(
                text=form.cleaned_data["text"], filename=form.cleaned_data["file"].name, user=request.user, study=study
            )
        except ProtocolError as exc:
            problems = exc.problems
    context = {
        "study": study,
        "form": form,
        "result": result,
        "problems": problems,
        "status_label": _status_label(result),
    }
    return render(request, "workflows/protocol_upload.html", context, status=400 if problems or form.errors else 200)


def _status_label(result) -> str:
    if result is None:
        return ""
    return {
        "created": _("Protocol loaded"),
        "unchanged": _("Nothing changed: this file is already loaded"),
        "amended": _("Amendment loaded"),
    }[result.status]
