"""Who may see and act on queries. A query outside the user's scope is a 404; a role that may see a query
but not take an action gets a 403.

* raise, close and reopen: RAISE_QUERY (Monitor and Data manager, the people who review data);
* answer: ANSWER_QUERY (Coordinator and PI, the site staff who enter data);
* see: anyone who may see the participant.

The roles are in accounts.capabilities.
"""

from django.shortcuts import get_object_or_404

from accounts.capabilities import Action, can, require

from .models import Query
from .selectors import queries_for_user


def query_for_user(user, query_id: int) -> Query:
    return get_object_or_404(queries_for_user(user), pk=query_id)


def may_raise(user, study) -> bool:
    return can(user, study, Action.RAISE_QUERY)


def may_answer(user, study) -> bool:
    return can(user, study, Action.ANSWER_QUERY)


def require_raise(user, study) -> None:
    require(user, study, Action.RAISE_QUERY)
