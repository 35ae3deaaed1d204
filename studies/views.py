from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.selectors import membership_for

from .access import can_load_protocol, study_for_protocol_load, study_for_user
from .forms import ProtocolUploadForm
from .protocol import ProtocolError
from .selectors import protocol_summary, protocol_versions, sites_for_user, studies_for_user
from .services import protocol_load


def study_list(request):
    return render(request, "studies/study_list.html", {"studies": studies_for_user(request.user)})


def study_detail(request, study_code: str):
    study = study_for_user(request.user, study_code)
    membership = membership_for(request.user, study)
    context = {
        "study": study,
        "membership": membership,
        "sites": sites_for_user(request.user, study),
        "summary": protocol_summary(study),
        "can_load": can_load_protocol(request.user, study, membership),
    }
    return render(request, "studies/study_detail.html", context)


def protocol_upload(request, study_code: str):
    study = study_for_protocol_load(request.user, study_code)
    form = ProtocolUploadForm(request.POST or None, request.FILES or None)
    result, problems = None, ()
    if request.method == "POST" and form.is_valid():
        try:
            result = protocol_load(
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
    return render(request, "studies/protocol_upload.html", context, status=400 if problems or form.errors else 200)


def _status_label(result) -> str:
    if result is None:
        return ""
    return {
        "created": _("Protocol loaded"),
        "unchanged": _("Nothing changed: this file is already loaded"),
        "amended": _("Amendment loaded"),
    }[result.status]


def protocol_history(request, study_code: str):
    study = study_for_user(request.user, study_code)
    context = {"study": study, "versions": protocol_versions(study), "can_load": can_load_protocol(request.user, study)}
    return render(request, "studies/protocol_history.html", context)
