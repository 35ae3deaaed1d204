"""The access checks of the biobank: one per object type; anything outside the user's scope is a 404.

Writes need a capability on top (accounts.capabilities): HANDLE_SPECIMENS to collect, aliquot, place, move and
dispose of specimens; MANAGE_STORAGE to set up freezers, racks and boxes. A member without it gets a 403.
"""

from django.shortcuts import get_object_or_404

from accounts.capabilities import Action, can, require

from .models import Freezer, Specimen
from .selectors import freezers_for_user, specimens_for_user


def may_handle(user, study) -> bool:
    return can(user, study, Action.HANDLE_SPECIMENS)


def require_handle(user, study) -> None:
    require(user, study, Action.HANDLE_SPECIMENS)


def may_manage_storage(user, study) -> bool:
    return can(user, study, Action.MANAGE_STORAGE)


def require_manage_storage(user, study) -> None:
    require(user, study, Action.MANAGE_STORAGE)


def specimen_for_user(user, specimen_id: int) -> Specimen:
    return get_object_or_404(specimens_for_user(user), pk=specimen_id)


def freezer_for_user(user, freezer_id: int) -> Freezer:
    return get_object_or_404(freezers_for_user(user), pk=freezer_id)
