"""Access to data exports: the study page needs VIEW_DATA_EXPORT (PI: read-only, the counts), running and
downloading EXPORT_DATA, identified data EXPORT_IDENTIFIED. An export is reached by members who may see all of
its sites (selectors.exports_for_user); one that holds arms only by users who may see arms (a 404 for the others,
so a blinded user cannot even tell that such a file exists)."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.capabilities import Action, can_see_arms, require

from .models import DataExport
from .selectors import exports_for_user


def require_view(user, study) -> None:
    require(user, study, Action.VIEW_DATA_EXPORT)


def require_export(user, study) -> None:
    require(user, study, Action.EXPORT_DATA)


def export_for_user(user, export_id: int) -> DataExport:
    export = get_object_or_404(exports_for_user(user), pk=export_id)
    if export.arms and not can_see_arms(user, export.study):
        raise Http404
    require_export(user, export.study)
    if not export.deidentified:
        require(user, export.study, Action.EXPORT_IDENTIFIED)
    return export
