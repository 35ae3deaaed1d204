"""The one access check for a study: a study the user is not a member of is a 404.

Changing a study's protocol also needs LOAD_PROTOCOL (accounts.capabilities); other members get a 403.
"""

from django.shortcuts import get_object_or_404

from accounts.capabilities import Action, can, can_on_server, require, role_may

from .models import Study
from .selectors import studies_for_user


def study_for_user(user, study_code: str) -> Study:
    return get_object_or_404(studies_for_user(user), code=study_code)


def can_load_protocol(user, study: Study, membership=None) -> bool:
    if membership is not None:
        return role_may(membership.role, Action.LOAD_PROTOCOL)
    return can(user, study, Action.LOAD_PROTOCOL)


def study_for_protocol_load(user, study_code: str) -> Study:
    study = study_for_user(user, study_code)
    require(user, study, Action.LOAD_PROTOCOL)
    return study


def study_for_members_page(user, study_code: str) -> Study:
    """The study whose members page ``user`` opens: a server administrator reaches every active study (before
    anyone is its member), anyone else only the studies they are a member of (a 404 otherwise)."""
    if can_on_server(user, Action.MANAGE_ANY_STUDY_MEMBERS):
        return get_object_or_404(Study.objects.filter(is_active=True), code=study_code)
    return study_for_user(user, study_code)
