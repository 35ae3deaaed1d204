"""The access checks of the biobank: one per object type; anything outside the user's scope is a 404.

Writes need a capability on top (accounts.capabilities): HANDLE_SPECIMENS to collect, aliquot, place, move and
dispose of specimens and to record cell-product release and dispensing; MANAGE_STORAGE to set up freezers, racks and
boxes; SHIP_SPECIMENS for shipments and consent uses; APPROVE_EXPORT for the export approval of a shipment
abroad. A member without it gets a 403.
"""

from django.shortcuts import get_object_or_404

from accounts.capabilities import Action, can, require

from .models import Freezer, Shipment, Specimen
from .selectors import freezers_for_user, shipments_for_user, specimens_for_user


def may_handle(user, study) -> bool:
    return can(user, study, Action.HANDLE_SPECIMENS)


def require_handle(user, study) -> None:
    require(user, study, Action.HANDLE_SPECIMENS)


def may_manage_storage(user, study) -> bool:
    return can(user, study, Action.MANAGE_STORAGE)


def require_manage_storage(user, study) -> None:
    require(user, study, Action.MANAGE_STORAGE)


def may_ship(user, study) -> bool:
    return can(user, study, Action.SHIP_SPECIMENS)


def require_ship(user, study) -> None:
    require(user, study, Action.SHIP_SPECIMENS)


def may_approve_export(user, study) -> bool:
    return can(user, study, Action.APPROVE_EXPORT)


def require_approve_export(user, study) -> None:
    require(user, study, Action.APPROVE_EXPORT)


def shipment_for_user(user, shipment_id: int) -> Shipment:
    return get_object_or_404(shipments_for_user(user), pk=shipment_id)


def specimen_for_user(user, specimen_id: int) -> Specimen:
    return get_object_or_404(specimens_for_user(user), pk=specimen_id)


def freezer_for_user(user, freezer_id: int) -> Freezer:
    return get_object_or_404(freezers_for_user(user), pk=freezer_id)
