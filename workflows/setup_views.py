"""Pages that set a study up from files (workflows.study_setup): the study's own instruments, and a new study
created from its protocol file by a server administrator. Views stay thin: access, form, one service, render."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.capabilities import Action, require, require_on_server
from instruments.definitions import DefinitionError
from instruments.forms import DefinitionFilesForm
from instruments.registry import study_definitions
from instruments.uploads import InstrumentFile
from studies.access import study_for_user
from studies.forms import ProtocolUploadForm
from studies.protocol import ProtocolError

from .study_setup import study_create, study_instruments_apply, study_languages

# The label languages a study may declare, by name (studies.protocol.languages gives their codes).
LANGUAGE_NAMES = {"en": gettext_lazy("English"), "zh": gettext_lazy("Chinese")}


def _bound(request) -> tuple:
    """Form data and files of a POST (a POST of files only is still a submission), None for a GET."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _files_from(request, form: DefinitionFilesForm) -> list[InstrumentFile] | None:
    """The uploaded files, or the dictionary the REDCap reader page sends on ("add to this study")."""
    if request.POST.get("csv_text"):
        return [InstrumentFile(request.POST.get("file_name") or "data_dictionary.csv", request.POST["csv_text"])]
    if form.is_valid():
        return [InstrumentFile(name, text) for name, text in form.cleaned_data["files"]]
    return None


def study_instruments(request, study_code: str):
    """The study's own definitions, and an upload form: all files stored, or every problem and nothing stored."""
    study = study_for_user(request.user, study_code)
    require(request.user, study, Action.LOAD_INSTRUMENTS)
    form = DefinitionFilesForm(*_bound(request))
    result, problems = None, []
    files = _files_from(request, form) if request.method == "POST" else None
    if files:
        try:
            result = study_instruments_apply(study_code=study.code, files=files, user=request.user)
        except DefinitionError as error:
            problems = error.problems
    context = {
        "study": study,
        "form": form,
        "result": result,
        "problems": problems,
        "languages": [str(LANGUAGE_NAMES.get(code, code)) for code in study_languages(study)],
        "definitions": study_definitions(study.code),
    }
    refused = problems or (request.method == "POST" and not files)  # a problem, or no file (the form says why)
    return render(request, "workflows/study_instruments.html", context, status=400 if refused else 200)


def study_new(request):
    """A server administrator creates a study from its protocol file (and its own definitions) and becomes its
    Admin; every problem of every file is listed on refusal and nothing is stored."""
    require_on_server(request.user, Action.CREATE_STUDY)
    protocol_form = ProtocolUploadForm(*_bound(request))
    files_form = DefinitionFilesForm(*_bound(request), required=False)
    problems: list = []
    if request.method == "POST" and protocol_form.is_valid() and files_form.is_valid():
        files = [InstrumentFile(name, text) for name, text in files_form.cleaned_data["files"]]
        try:
            result, _stored = study_create(
                text=protocol_form.cleaned_data["text"],
                filename=protocol_form.cleaned_data["file"].name,
                user=request.user,
                instrument_files=files,  # read in the languages the protocol's study.languages declares
            )
        except ProtocolError as error:
            problems = list(error.problems)
        else:
            return redirect("studies:study-detail", result.study.code)
    context = {
        "protocol_form": protocol_form,
        "files_form": files_form,
        "problems": problems,
        "title": _("Create a study"),
    }
    refused = problems or protocol_form.errors or files_form.errors
    return render(request, "workflows/study_new.html", context, status=400 if refused else 200)
