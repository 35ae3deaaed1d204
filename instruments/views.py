"""The instrument library and REDCap data dictionaries. (CRF entry and the response import are workflows:
workflows/views.py.) Views stay thin."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from accounts.capabilities import Action, can_in_any_study, require_in_any_study, role_may
from accounts.selectors import memberships_for_user
from core.csv import csv_response
from core.downloads import attachment

from .catalogue import definition_yaml, instrument_catalogue
from .definitions import DefinitionError
from .forms import (
    DataDictionaryUploadForm,
)
from .importing import read_upload
from .redcap_dd import data_dictionary_rows, read_data_dictionary
from .registry import get_instrument, get_library, study_definitions


def instrument_list(request):
    context = {
        "instruments": instrument_catalogue(),
        "may_read_redcap": can_in_any_study(request.user, Action.LOAD_PROTOCOL),
    }
    return render(request, "instruments/instrument_list.html", context)


def _study_of(request) -> str | None:
    """``?study=CODE``: that study's own definitions too, for a member of it (a 404 for anyone else)."""
    code = request.GET.get("study")
    if code and not memberships_for_user(request.user).filter(study__code=code).exists():
        raise Http404("no such study")
    return code or None


def _instrument_or_404(request, instrument_code: str, instrument_version: str):
    try:
        return get_instrument(instrument_code, instrument_version, study=_study_of(request))
    except KeyError:
        raise Http404("no such instrument") from None


def _versions(instrument_code: str, study: str | None) -> list[str]:
    versions = get_library().versions(instrument_code)
    if not versions and study:
        versions = sorted({row.version for row, _one in study_definitions(study) if row.code == instrument_code})
    return versions


def instrument_detail(request, instrument_code: str, instrument_version: str):
    instrument = _instrument_or_404(request, instrument_code, instrument_version)
    study = _study_of(request)
    return render(
        request,
        "instruments/instrument_detail.html",
        {
            "instrument": instrument,
            "versions": _versions(instrument_code, study),
            "study_query": f"?study={study}" if study else "",
        },
    )


def instrument_data_dictionary(request, instrument_code: str, instrument_version: str):
    instrument = _instrument_or_404(request, instrument_code, instrument_version)
    rows = data_dictionary_rows([instrument])
    # An interchange file read back by REDCap, whose action tags (``@EDC=...``) begin with @: no formula guard.
    return csv_response(rows, f"{instrument.code}_{instrument.version}_redcap.csv", guard=False)


def data_dictionary_upload(request):
    """Read a REDCap data dictionary: show what it defines or every problem; offer it as our YAML.

    Only for those who load protocols (LOAD_PROTOCOL in some study): it parses uploaded files.
    """
    require_in_any_study(request.user, Action.LOAD_PROTOCOL)
    form = DataDictionaryUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "instruments": [], "problems": [], "csv_text": "", "file_name": ""}
    context["target_studies"] = studies_loading_instruments(request.user)
    if request.method == "POST" and request.POST.get("download"):
        return _data_dictionary_yaml(request.POST.get("csv_text", ""), request.POST["download"])
    if request.method == "POST" and form.is_valid():
        csv_text, problem = read_upload(form.cleaned_data["file"])
        if problem:
            form.add_error("file", problem)
        else:
            context["csv_text"] = csv_text
            context["file_name"] = form.cleaned_data["file"].name
            try:
                context["instruments"] = [
                    {"instrument": one, "yaml": definition_yaml(one)} for one in read_data_dictionary(csv_text)
                ]
            except DefinitionError as error:
                context["problems"] = error.problems
    return render(request, "instruments/datadictionary_upload.html", context)


def studies_loading_instruments(user) -> list:
    """The studies whose instruments ``user`` may load: the reader offers "add to this study" for them."""
    return [m.study for m in memberships_for_user(user) if role_may(m.role, Action.LOAD_INSTRUMENTS)]


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
