"""The access checks for acquisitions: one per object type; anything outside the user's scope is a 404.

Write actions need a role on top: uploading and retrying (site staff and data managers), linking a waiting file
(Admin and Data manager, the only roles who see the queue), exporting MRI as BIDS (Admin, Data manager,
Unblinded statistician). A member without the role gets a 403.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.selectors import membership_for

from .models import DataFile, DicomSeries, ImagingExport, IngestJob
from .selectors import (
    EXPORT_DELETE_ROLES,
    EXPORT_ROLES,
    MEASURE_EXPORT_ROLES,
    QUEUE_ROLES,
    UPLOAD_ROLES,
    datafiles_for_user,
    exports_for_user,
    jobs_for_user,
    series_for_user,
)


def _role(user, study) -> str | None:
    membership = membership_for(user, study)
    return membership.role if membership else None


def may_upload(user, study) -> bool:
    return _role(user, study) in UPLOAD_ROLES


def may_link(user, study) -> bool:
    return _role(user, study) in QUEUE_ROLES


def require_upload(user, study) -> None:
    if not may_upload(user, study):
        raise PermissionDenied


def require_link(user, study) -> None:
    if not may_link(user, study):
        raise PermissionDenied


def datafile_for_user(user, datafile_id: int) -> DataFile:
    return get_object_or_404(datafiles_for_user(user), pk=datafile_id)


def job_for_user(user, job_id: int) -> IngestJob:
    return get_object_or_404(jobs_for_user(user), pk=job_id)


def series_for_user_or_404(user, series_id: int) -> DicomSeries:
    return get_object_or_404(series_for_user(user), pk=series_id)


def may_export(user, study) -> bool:
    return _role(user, study) in EXPORT_ROLES


def may_delete_export(user, study) -> bool:
    return _role(user, study) in EXPORT_DELETE_ROLES


def require_export(user, study) -> None:
    if not may_export(user, study):
        raise PermissionDenied


def export_for_user(user, export_id: int) -> ImagingExport:
    return get_object_or_404(exports_for_user(user), pk=export_id)


def may_export_measures(user, study) -> bool:
    return _role(user, study) in MEASURE_EXPORT_ROLES


def require_measures_export(user, study) -> None:
    if not may_export_measures(user, study):
        raise PermissionDenied
