"""Who may reach a response import job: the one access function of the object type."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from participants.access import can_enter_data
from studies.selectors import sites_for_user

from .models import ResponseImportJob


def import_job_for_user(user, study, job_id: int) -> ResponseImportJob:
    """A job of ``study`` whose uploader's sites the user also sees (its report names their participants); a 404
    otherwise, like a missing one (before the role is asked, so that a foreign job is never told apart); then
    a 403 for a role that may not enter data."""
    job = ResponseImportJob.objects.filter(study=study, pk=job_id).first()
    if job is None:
        raise Http404
    visible = set(sites_for_user(user, study).values_list("pk", flat=True))
    if job.uploaded_by_id != user.pk and not (job.site_ids and set(job.site_ids) <= visible):
        raise Http404
    if not can_enter_data(user, study):
        raise PermissionDenied
    return job
