"""Export pages: the builder (choices, counts, run), a job's progress page, its download and cancel."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.capabilities import can_see_arms
from core import storage
from studies.access import study_for_user
from studies.selectors import sites_for_user

from .access import export_for_user, require_export, require_view
from .forms import ExportForm, SaveExportForm, saved_choices
from .selectors import Choice, exports_for_user, protocol_instruments, saved_exports_for, visit_order
from .services import (
    SUFFIX,
    Spec,
    export_cancel,
    export_download,
    export_preview,
    export_request,
    may_export,
    may_export_identified,
    saved_export_save,
)


def _form(request, study, data=None) -> ExportForm:
    return ExportForm(
        data,
        sites=[(site.code, f"{site.code} · {site.display_name}") for site in sites_for_user(request.user, study)],
        visits=[(code, code) for code in visit_order(study)],
        instruments=[(code, code) for code in protocol_instruments(study)],
        may_identify=may_export_identified(request.user, study),
    )


def _spec(study, user, form: ExportForm) -> Spec:
    data = form.cleaned_data
    choice = Choice(tuple(data["sites"]), tuple(data["visits"]), tuple(data["instruments"]))
    deidentified = not data.get("identified", False)
    return Spec(study, data["format"], choice, deidentified, data["free_text"], can_see_arms(user, study), user)


def export_builder(request, study_code: str):
    """GET: the choices and, once chosen, the row and column counts; POST: run the export (a job)."""
    study = study_for_user(request.user, study_code)
    require_view(request.user, study)
    arms = can_see_arms(request.user, study)
    if request.method == "POST":
        require_export(request.user, study)
        form = _form(request, study, request.POST)
        if form.is_valid():
            spec = _spec(study, request.user, form)
            export = export_request(
                study=study,
                user=request.user,
                format=spec.format,
                choice=spec.choice,
                deidentified=spec.deidentified,
                free_text=spec.free_text,
            )
            return redirect("exports:export-detail", data_export_id=export.pk)
    else:
        form = _form(request, study, request.GET if "format" in request.GET else None)
    preview = export_preview(_spec(study, request.user, form)) if form.is_bound and form.is_valid() else None
    context = {
        "study": study,
        "form": form,
        "preview": preview,
        "may_run": may_export(request.user, study),
        "save_form": SaveExportForm(),
        "saved": saved_exports_for(request.user, study),
        "exports": [e for e in exports_for_user(request.user).filter(study=study)[:20] if e.arms <= arms],
    }
    return render(request, "exports/export_builder.html", context)


@require_POST
def saved_export_save_view(request, study_code: str):
    """Save the builder's choices (posted with the name) and reopen the builder on them."""
    study = study_for_user(request.user, study_code)
    require_export(request.user, study)
    form, name_form = _form(request, study, request.POST), SaveExportForm(request.POST)
    if not (form.is_valid() and name_form.is_valid()):
        errors = [f"{field}: {' '.join(texts)}" for f in (form, name_form) for field, texts in f.errors.items()]
        messages.error(request, _("The choice was not saved: %(errors)s") % {"errors": "; ".join(errors)})
        return redirect("exports:export-builder", study_code=study.code)
    saved = saved_export_save(
        study=study, user=request.user, name=name_form.cleaned_data["name"], choices=saved_choices(form)
    )
    messages.success(request, _("Saved as “%(name)s”.") % {"name": saved.name})
    return redirect(f"{reverse('exports:export-builder', args=[study.code])}?{saved.querystring}")


def export_detail(request, data_export_id: int):
    export = export_for_user(request.user, data_export_id)
    return render(request, "exports/export_detail.html", {"export": export, "study": export.study})


def export_download_view(request, data_export_id: int):
    export = export_for_user(request.user, data_export_id)
    try:
        stored = export_download(export=export, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("exports:export-detail", data_export_id=export.pk)
    name = f"{export.study.code}-{export.format}-{export.pk}.{SUFFIX[export.format]}"
    return storage.download_response(stored, filename=name)


@require_POST
def export_cancel_view(request, data_export_id: int):
    export = export_for_user(request.user, data_export_id)
    try:
        export_cancel(export=export, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("exports:export-detail", data_export_id=export.pk)
