"""Who may reach which token, and the token's study as a wall around every API answer.

A token carries its study: a call made with it sees only that study, even when its user is a member of others.
``in_token_study`` narrows a queryset scoped to the user (the same selectors as the pages) to that study.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.capabilities import Action, can, require
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
    """A live token the user owns, or one of a study where the user may MANAGE_API_TOKENS; else a 404."""
    token = get_object_or_404(live_tokens().select_related("study"), pk=token_id)
    if token.user_id == user.pk and token.study.memberships.filter(user=user, is_active=True).exists():
        return token
    if can(user, token.study, Action.MANAGE_API_TOKENS):
        return token
    raise Http404
