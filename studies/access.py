"""The one access check for a study: a study the user is not a member of is a 404.

Changing a study's protocol also needs the Admin or Data manager role in it; other members get a 403.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Role
from accounts.selectors import membership_for

from .models import Study
from .selectors import studies_for_user

PROTOCOL_ROLES = {Role.ADMIN, Role.DATA_MANAGER}


def study_for_user(user, study_code: str) -> Study:
    return get_object_or_404(studies_for_user(user), code=study_code)


def can_load_protocol(user, study: Study, membership=None) -> bool:
    membership = membership or membership_for(user, study)
    return membership is not None and membership.role in PROTOCOL_ROLES


def study_for_protocol_load(user, study_code: str) -> Study:
    study = study_for_user(user, study_code)
    if not can_load_protocol(user, study):
        raise PermissionDenied
    return study
