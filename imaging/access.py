"""The access checks for acquisitions: one per object type; anything outside the user's scope is a 404.

Write actions need a capability on top (accounts.capabilities): uploading and retrying (UPLOAD_FILES), linking a
waiting file (LINK_FILES, the only roles who see the queue), exporting MRI as BIDS (EXPORT_MRI) and deleting such
an export (DELETE_MRI_EXPORT), downloading derived measures (EXPORT_MEASURES). A member without it gets a 403.
Original file names are read only by roles that may see identifiers (SEE_IDENTIFIERS; see imaging.names).
"""

from django.shortcuts import get_object_or_404

from accounts.capabilities import Action, can, require

from .models import DataFile, DicomSeries, ImagingExport, IngestJob
from .selectors import datafiles_for_user, exports_for_user, jobs_for_user, series_for_user


def may_upload(user, study) -> bool:
    return can(user, study, Action.UPLOAD_FILES)


def may_link(user, study) -> bool:
    return can(user, study, Action.LINK_FILES)


def may_see_file_names(user, study) -> bool:
    """Original file names may carry a patient's name: only roles that may see identifiers read them."""
    return can(user, study, Action.SEE_IDENTIFIERS)


def require_upload(user, study) -> None:
    require(user, study, Action.UPLOAD_FILES)


def require_link(user, study) -> None:
    require(user, study, Action.LINK_FILES)


def datafile_for_user(user, datafile_id: int) -> DataFile:
    return get_object_or_404(datafiles_for_user(user), pk=datafile_id)


def job_for_user(user, job_id: int) -> IngestJob:
    return get_object_or_404(jobs_for_user(user), pk=job_id)


def series_for_user_or_404(user, series_id: int) -> DicomSeries:
    return get_object_or_404(series_for_user(user), pk=series_id)


def may_export(user, study) -> bool:
    return can(user, study, Action.EXPORT_MRI)


def may_delete_export(user, study) -> bool:
    return can(user, study, Action.DELETE_MRI_EXPORT)


def require_export(user, study) -> None:
    require(user, study, Action.EXPORT_MRI)


def export_for_user(user, export_id: int) -> ImagingExport:
    return get_object_or_404(exports_for_user(user), pk=export_id)


def may_export_measures(user, study) -> bool:
    return can(user, study, Action.EXPORT_MEASURES)


def require_measures_export(user, study) -> None:
    require(user, study, Action.EXPORT_MEASURES)
