"""Who may reach which token, and the token's study as a wall around every API answer.

A token carries its study: a call made with it sees only that study, even when its user is a member of others.
``in_token_study`` narrows a queryset scoped to the user (the same selectors as the pages) to that study.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.capabilities import Action, require
from studies.access import study_for_user

from .models import ApiToken
from .selectors import live_tokens


def token_study_id(request) -> int | None:
    """The study of the token that authenticated ``request`` (None for a session call)."""
    auth = getattr(request, "auth", None)
    return auth.study_id if isinstance(auth, ApiToken) else None


def in_token_study(request, queryset, field: str = "study"):
    study_id = token_study_id(request)
    if study_id is None:
        return queryset
    return queryset.filter(**{f"{field}_id" if field != "pk" else "pk": study_id})


def require_token_study(request, study) -> None:
    """A study outside the token's is a 404, like one the user is not a member of."""
    study_id = token_study_id(request)
    if study_id is not None and study.pk != study_id:
        raise Http404


def study_for_tokens(user, study_code: str):
    """The study whose tokens ``user`` manages (MANAGE_API_TOKENS: a 403 otherwise)."""
    study = study_for_user(user, study_code)
    require(user, study, Action.MANAGE_API_TOKENS)
    return study


def token_for_user(user, token_id: int) -> ApiToken:
    """A live token of one of the user's studies (a 404 otherwise): the user's own, or another member's for a role
    that may MANAGE_API_TOKENS (a 403 for the others)."""
    token = get_object_or_404(live_tokens().select_related("study"), pk=token_id)
    study = study_for_user(user, token.study.code)
    if token.user_id != user.pk:
        require(user, study, Action.MANAGE_API_TOKENS)
    return token
