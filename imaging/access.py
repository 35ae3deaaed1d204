"""The access checks for acquisitions: one per object type; anything outside the user's scope is a 404.

Write actions need a role on top: uploading and retrying (site staff and data managers), linking a waiting file
(Admin and Data manager, the only roles who see the queue). A member without the role gets a 403.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.selectors import membership_for

from .models import DataFile, DicomSeries, IngestJob
from .selectors import QUEUE_ROLES, UPLOAD_ROLES, datafiles_for_user, jobs_for_user, series_for_user


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
