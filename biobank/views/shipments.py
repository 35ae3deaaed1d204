"""Shipment pages: the study's shipments, one shipment (add specimens, export approval, ship, receive), its
manifest as CSV, and recording what a participant's consent allows."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.csv import csv_response
from participants.access import participant_for_user
from studies.access import study_for_user
from studies.selectors import sites_for_user

from .. import selectors
from ..access import may_approve_export, may_ship, require_approve_export, require_ship, shipment_for_user
from ..forms import ApprovalForm, ConsentUseForm, PlaceAllForm, ReceiveForm, ShipForm, ShipmentAddForm, ShipmentForm
from ..services import shipments


def shipment_list(request, study_code: str):
    study = study_for_user(request.user, study_code)
    form = ShipmentForm(request.POST or None, sites=sites_for_user(request.user, study))
    if request.method == "POST":
        require_ship(request.user, study)
        if form.is_valid():
            try:
                shipment = shipments.shipment_create(user=request.user, study=study, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("biobank:shipment-detail", shipment.pk)
    context = {
        "study": study,
        "shipments": selectors.shipments_for_user(request.user).filter(study=study),
        "form": form,
        "may_ship": may_ship(request.user, study),
    }
    return render(request, "biobank/shipment_list.html", context)


def shipment_detail(request, shipment_id: int):
    shipment = shipment_for_user(request.user, shipment_id)
    if request.method == "POST":
        require_ship(request.user, shipment.study)
        _shipment_step(request, shipment)
        return redirect("biobank:shipment-detail", shipment.pk)
    context = {
        "shipment": shipment,
        "specimens": selectors.shipment_specimens(shipment),
        "may_ship": may_ship(request.user, shipment.study),
        "may_approve": may_approve_export(request.user, shipment.study),
        "add_form": ShipmentAddForm(),
        "approval_form": ApprovalForm(),
        "ship_form": ShipForm(),
        "receive_form": ReceiveForm(),
        "place_form": PlaceAllForm(
            boxes=selectors.boxes_for_user(request.user).filter(rack__freezer__site__study=shipment.study)
        ),
    }
    return render(request, "biobank/shipment_detail.html", context)


def _shipment_step(request, shipment) -> None:
    """One step of the shipment's chain (``action``: add, approve, ship, receive, place), reported as a message."""
    data, boxes = request.POST, selectors.boxes_for_user(request.user)
    steps = {
        "add": (lambda: ShipmentAddForm(data), _add),
        "approve": (lambda: ApprovalForm(data), _approve),
        "ship": (lambda: ShipForm(data), _ship),
        "receive": (lambda: ReceiveForm(data), _receive),
        "place": (lambda: PlaceAllForm(data, boxes=boxes), _place),
    }
    step = steps.get(data.get("action", ""))
    if step is None:
        messages.error(request, _("Choose what to do with the shipment."))
        return
    form = step[0]()
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return
    try:
        messages.success(request, step[1](request, shipment, form))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))


def _add(request, shipment, form) -> str:
    labels = form.labels()
    found = list(selectors.specimens_for_user(request.user).filter(study=shipment.study, label_id__in=labels))
    unknown = sorted(set(labels) - {s.label_id for s in found})
    if unknown:
        raise ValidationError(_("Unknown specimen IDs: %(ids)s.") % {"ids": ", ".join(unknown)})
    added = shipments.shipment_add(user=request.user, shipment=shipment, specimens=found)
    return _("%(count)s specimens added.") % {"count": added}


def _approve(request, shipment, form) -> str:
    require_approve_export(request.user, shipment.study)
    shipments.shipment_approve(user=request.user, shipment=shipment, **form.cleaned_data)
    return _("Export approval recorded.")


def _ship(request, shipment, form) -> str:
    shipments.shipment_ship(user=request.user, shipment=shipment, **form.cleaned_data)
    return _("Marked as shipped.")


def _receive(request, shipment, form) -> str:
    shipments.shipment_receive(user=request.user, shipment=shipment, **form.cleaned_data)
    return _("Marked as received.")


def _place(request, shipment, form) -> str:
    placed = shipments.shipment_place(user=request.user, shipment=shipment, box=form.cleaned_data["box"])
    return _("%(count)s specimens placed.") % {"count": placed}


def shipment_manifest(request, shipment_id: int):
    shipment = shipment_for_user(request.user, shipment_id)
    return csv_response(selectors.manifest_rows(shipment), f"manifest-{shipment.study.code}-{shipment.pk}.csv")


@require_POST
def consent_uses(request, participant_id: int):
    participant = participant_for_user(request.user, participant_id)
    require_ship(request.user, participant.study)
    form = ConsentUseForm(request.POST)
    if form.is_valid():
        shipments.consent_uses_record(user=request.user, participant=participant, **form.cleaned_data)
        messages.success(request, _("Consent uses recorded."))
    return redirect("biobank:participant-specimens", participant.pk)
