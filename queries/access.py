"""Who may see and act on queries. A query outside the user's scope is a 404; a role that may see a query
but not take an action gets a 403.

* raise, close and reopen: Monitor and Data manager (the people who review data);
* answer: Coordinator and PI (the site staff who enter data);
* see: anyone who may see the participant.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Role
from accounts.selectors import membership_for

from .models import Query
from .selectors import queries_for_user

REVIEW_ROLES = frozenset({Role.MONITOR, Role.DATA_MANAGER})
ANSWER_ROLES = frozenset({Role.COORDINATOR, Role.PI})


def query_for_user(user, query_id: int) -> Query:
    return get_object_or_404(queries_for_user(user), pk=query_id)


def role_in(user, study) -> str | None:
    cache = user.__dict__.setdefault("_query_roles", {})
    if study.pk not in cache:
        membership = membership_for(user, study)
        cache[study.pk] = membership.role if membership else None
    return cache[study.pk]


def may_raise(user, study) -> bool:
    return role_in(user, study) in REVIEW_ROLES


def may_answer(user, study) -> bool:
    return role_in(user, study) in ANSWER_ROLES


def require_raise(user, study) -> None:
    if not may_raise(user, study):
        raise PermissionDenied
