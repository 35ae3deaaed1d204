"""Cell-product pages: record the release results of a product lot, and dispense a released product."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..access import require_handle, specimen_for_user
from ..forms import DispenseForm, ReleaseForm
from ..models import ProductRelease
from ..services import products, study_biobank


def product_release(request, specimen_id: int):
    specimen = specimen_for_user(request.user, specimen_id)
    require_handle(request.user, specimen.study)
    criteria = study_biobank(specimen.study).release_criteria
    current = ProductRelease.objects.filter(specimen=specimen).first()
    form = ReleaseForm(request.POST or None, criteria=criteria, initial=_initial(current))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = products.release_record(
                user=request.user,
                specimen=specimen,
                lot=data["lot"],
                passage=data["passage"],
                cells_per_ml=data["cells_per_ml"],
                results=form.results(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Released.") if row.released else _("Not released: a criterion failed."))
            return redirect("biobank:product-release", specimen.pk)
    visits = specimen.participant.visits.filter(cancelled=False).order_by("target_date")
    context = {
        "specimen": specimen,
        "form": form,
        "release": current,
        "criteria": criteria,
        "dispense_form": DispenseForm(visits=visits),
    }
    return render(request, "biobank/product_release.html", context)


def _initial(current: ProductRelease | None) -> dict:
    if current is None:
        return {}
    initial = {"lot": current.lot, "passage": current.passage, "cells_per_ml": current.cells_per_ml}
    return initial | {f"result_{code}": value for code, value in current.results.items()}


@require_POST
def product_dispense(request, specimen_id: int):
    specimen = specimen_for_user(request.user, specimen_id)
    require_handle(request.user, specimen.study)
    form = DispenseForm(request.POST, visits=specimen.participant.visits.filter(cancelled=False))
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("biobank:product-release", specimen.pk)
    try:
        products.product_dispense(user=request.user, specimen=specimen, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Dispensed."))
    return redirect("biobank:product-release", specimen.pk)
