"""Biobank pages: a participant's specimens, collection at a visit, specimen detail with its lineage, aliquots,
placement and disposal, storage (freezers, racks, boxes) with the box map, and finding a specimen by its ID.

Each view: access check, form, one service call, render or redirect. No page shows an arm."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.capabilities import Action, can
from core.downloads import attachment
from core.i18n import text_for
from participants.access import participant_for_user
from studies.access import study_for_user
from studies.selectors import sites_for_user

from .. import selectors, services
from ..access import (
    freezer_for_user,
    may_handle,
    may_manage_storage,
    may_ship,
    require_handle,
    require_manage_storage,
    specimen_for_user,
)
from ..forms import (
    AliquotForm,
    BoxForm,
    CheckForm,
    CollectForm,
    ConsentUseForm,
    DisposeForm,
    FreezerForm,
    NotCollectedForm,
    PlaceForm,
    RackForm,
)
from ..models import Freezer, Rack, Specimen


def _type_choices(study):
    return [(t.code, text_for(t.label) or t.code) for t in services.study_biobank(study).all_types()]


def _visit(participant, visit_id):
    return participant.visits.filter(pk=visit_id, cancelled=False).first() if str(visit_id).isdigit() else None


def participant_specimens(request, participant_id: int):
    participant = participant_for_user(request.user, participant_id)
    specimens = list(selectors.participant_specimens(request.user, participant))
    context = {
        "participant": participant,
        "specimens": specimens,
        "expected": selectors.expected_by_visit(participant, specimens),
        "may_handle": may_handle(request.user, participant.study),
        "may_ship": may_ship(request.user, participant.study),
        "consent_form": ConsentUseForm(initial=selectors.consent_uses_of(participant)),
    }
    return render(request, "biobank/participant_specimens.html", context)


def specimen_collect(request, participant_id: int):
    participant = participant_for_user(request.user, participant_id)
    require_handle(request.user, participant.study)
    visit = _visit(participant, request.GET.get("visit") or request.POST.get("visit"))
    choices = _type_choices(participant.study)
    initial = {"type_code": request.GET.get("type", ""), "activity_key": request.GET.get("key", "")}
    form = CollectForm(request.POST or None, type_choices=choices, initial=initial)
    missed = NotCollectedForm(type_choices=choices, initial=initial)
    if request.method == "POST" and visit is None:
        messages.error(request, _("Choose one of the participant's visits."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            specimen = services.specimen_collect(user=request.user, visit=visit, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Specimen %(id)s recorded.") % {"id": specimen.label_id})
            return redirect("biobank:specimen-detail", specimen.pk)
    visits = participant.visits.filter(cancelled=False).order_by("target_date", "sequence")
    context = {"participant": participant, "visit": visit, "visits": visits, "form": form, "missed": missed}
    return render(request, "biobank/specimen_collect.html", context)


@require_POST
def specimen_not_collected(request, participant_id: int):
    participant = participant_for_user(request.user, participant_id)
    require_handle(request.user, participant.study)
    visit = _visit(participant, request.POST.get("visit"))
    form = NotCollectedForm(request.POST, type_choices=_type_choices(participant.study))
    if visit is None or not form.is_valid():
        messages.error(request, _("Choose a visit and a type, and give the reason."))
        return redirect("biobank:specimen-collect", participant.pk)
    data = form.cleaned_data
    try:
        services.specimen_not_collected(user=request.user, visit=visit, **data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("biobank:participant-specimens", participant.pk)


def specimen_detail(request, specimen_id: int):
    specimen = specimen_for_user(request.user, specimen_id)
    ancestors, descendants = selectors.lineage(specimen)
    study = specimen.study
    handle = may_handle(request.user, study)
    context = {
        "specimen": specimen,
        "specimen_type": _type_label(study, specimen.type_code),
        "is_product": _base(study, specimen.type_code) == "cell_product",
        "label_sizes": services.LABEL_SIZES,
        "too_many_thaws": services.freeze_thaw_warning(specimen),
        "results": specimen.assay_results.all(),
        "ancestors": ancestors,
        "descendants": descendants,
        "may_handle": handle,
        "aliquot_form": AliquotForm(type_choices=_type_choices(study)) if handle else None,
        "place_form": PlaceForm(boxes=_site_boxes(request.user, specimen)) if handle else None,
        "dispose_form": DisposeForm() if handle else None,
    }
    return render(request, "biobank/specimen_detail.html", context)


def _type_label(study, code: str) -> str:
    try:
        return text_for(services.study_biobank(study).specimen_type(code).label)
    except KeyError:
        return code


def _base(study, code: str) -> str | None:
    try:
        return services.study_biobank(study).specimen_type(code).base
    except KeyError:
        return None


def _site_boxes(user, specimen):
    return selectors.boxes_for_user(user).filter(rack__freezer__site_id=specimen.participant.site_id)


def _post_on_specimen(request, specimen_id: int, form_class, act, **form_kwargs):
    """The POST-only specimen actions: check, validate, call ``act(specimen, form)``, report, back to the page."""
    specimen = specimen_for_user(request.user, specimen_id)
    require_handle(request.user, specimen.study)
    form = form_class(request.POST, **{k: v(specimen) for k, v in form_kwargs.items()})
    if not form.is_valid():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors))
        return redirect("biobank:specimen-detail", specimen.pk)
    try:
        message = act(specimen, form)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, message)
    return redirect("biobank:specimen-detail", specimen.pk)


@require_POST
def specimen_aliquot(request, specimen_id: int):
    def act(specimen, form):
        children = services.aliquot_split(user=request.user, parent=specimen, **form.cleaned_data)
        return _("%(count)s aliquots made: %(ids)s.") % {"count": len(children), "ids": ", ".join(map(str, children))}

    return _post_on_specimen(request, specimen_id, AliquotForm, act, type_choices=lambda s: _type_choices(s.study))


@require_POST
def specimen_place(request, specimen_id: int):
    def act(specimen, form):
        row, col = form.cell()
        position = services.specimen_place(
            user=request.user, specimen=specimen, box=form.cleaned_data["box"], row=row, col=col
        )
        return _("Placed at %(where)s.") % {"where": position}

    return _post_on_specimen(request, specimen_id, PlaceForm, act, boxes=lambda s: _site_boxes(request.user, s))


@require_POST
def specimen_check(request, specimen_id: int):
    """Check a stored specimen out of its box, or back in (``action``: out or in)."""

    def act(specimen, form):
        if request.POST.get("action") == "in":
            specimen = services.specimen_check_in(user=request.user, specimen=specimen)
            if services.freeze_thaw_warning(specimen):
                messages.warning(request, _("More freeze-thaw cycles than the protocol allows."))
            return _("Checked in.")
        services.specimen_check_out(user=request.user, specimen=specimen)
        return _("Checked out.")

    return _post_on_specimen(request, specimen_id, CheckForm, act)


@require_POST
def specimen_dispose(request, specimen_id: int):
    def act(specimen, form):
        services.specimen_dispose(user=request.user, specimen=specimen, **form.cleaned_data)
        return _("Disposal recorded.")

    return _post_on_specimen(request, specimen_id, DisposeForm, act)


def specimen_labels(request, specimen_id: int):
    """The label sheet (PDF) of a specimen and all its aliquots and derivatives."""
    specimen = specimen_for_user(request.user, specimen_id)
    require_handle(request.user, specimen.study)
    _, descendants = selectors.lineage(specimen)
    size = request.GET.get("size", "38x13")
    try:
        pdf = services.labels_print(user=request.user, specimens=[specimen, *(d for _, d in descendants)], size=size)
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages))
    response = HttpResponse(pdf, content_type="application/pdf")
    return attachment(response, f"labels-{specimen.label_id}.pdf")


def storage_list(request, study_code: str):
    study = study_for_user(request.user, study_code)
    sites = sites_for_user(request.user, study)
    form = FreezerForm(request.POST or None, sites=sites)
    if request.method == "POST":
        require_manage_storage(request.user, study)
        if form.is_valid():
            try:
                freezer = services.freezer_create(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("biobank:freezer-detail", freezer.pk)
    freezers = selectors.freezers_for_user(request.user).filter(site__study=study).order_by("site__code", "name")
    context = {
        "study": study,
        "freezers": freezers,
        "form": form,
        "may_manage": may_manage_storage(request.user, study),
        "may_import_assays": can(request.user, study, Action.ENTER_DATA),  # what assay_import requires
    }
    return render(request, "biobank/storage_list.html", context)


def freezer_detail(request, freezer_id: int):
    freezer = freezer_for_user(request.user, freezer_id)
    study = freezer.site.study
    racks = Rack.objects.filter(freezer=freezer)
    rack_form, box_form = RackForm(), BoxForm(racks=racks)
    if request.method == "POST":
        require_manage_storage(request.user, study)
        rack_form, box_form = _storage_post(request, freezer, racks)
        if rack_form is None:
            return redirect("biobank:freezer-detail", freezer.pk)
    context = {
        "freezer": freezer,
        "study": study,
        "maps": selectors.box_maps(freezer),
        "may_manage": may_manage_storage(request.user, study),
        "rack_form": rack_form,
        "box_form": box_form,
    }
    return render(request, "biobank/freezer_detail.html", context)


def _storage_post(request, freezer: Freezer, racks):
    """Add a rack or a box to ``freezer``: (None, None) when done, else the forms with their errors."""
    adding_box = request.POST.get("what") == "box"
    rack_form = RackForm(None if adding_box else request.POST)
    box_form = BoxForm(request.POST if adding_box else None, racks=racks)
    form = box_form if adding_box else rack_form
    if form.is_valid():
        try:
            if adding_box:
                services.box_create(user=request.user, **form.cleaned_data)
            else:
                services.rack_create(user=request.user, freezer=freezer, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return None, None
    return rack_form, box_form


def specimen_list(request, study_code: str):
    """Search the study's specimens by type, visit, participant, status, SPREC or box (at most 500 shown)."""
    study = study_for_user(request.user, study_code)
    found = selectors.specimen_search(request.user, study, request.GET)
    context = {
        "study": study,
        "specimens": found[:500],
        "count": found.count(),
        "filters": {key: request.GET.get(key, "")[:64] for key in selectors.SEARCH_FIELDS},
        "statuses": Specimen.Status.choices,
    }
    return render(request, "biobank/specimen_list.html", context)


def specimen_find(request, study_code: str):
    study = study_for_user(request.user, study_code)
    query = request.GET.get("q", "").strip()[:64]
    if query:
        found = selectors.specimens_for_user(request.user).filter(study=study, label_id__iexact=query).first()
        if found is not None:
            return redirect("biobank:specimen-detail", found.pk)
        messages.error(
            request, _("No specimen with the ID “%(id)s” in this study (or not at your sites).") % {"id": query}
        )
    return render(request, "biobank/specimen_find.html", {"study": study, "query": query})
