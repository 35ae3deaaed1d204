"""Who may read which audit trail. Anything outside the user's scope is a 404; a member whose role may not
read a study-wide trail gets a 403 (they may see the study itself).

* a participant's trail: anyone who may see the participant (participants.access.participant_for_user);
* an object's trail: anyone who may see the object now (reports.trail.scope: the access scope of the app that
  owns the type) and at least one of its events (events_for_user); a deleted object keeps its events' scope;
* the study-wide trail and a user's trail: roles with READ_STUDY_AUDIT (accounts.capabilities).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.capabilities import Action, can
from accounts.models import Membership, User
from participants.access import participant_for_user
from studies.access import study_for_user

from .scope import may_see_object
from .selectors import object_events

__all__ = ["participant_for_trail", "study_for_trail", "trail_user_for_user", "object_events_for_user"]


def participant_for_trail(user, participant_id: int):
    return participant_for_user(user, participant_id)


def may_read_study_trail(user, study) -> bool:
    return can(user, study, Action.READ_STUDY_AUDIT)


def study_for_trail(user, study_code: str):
    """The study, for the study-wide and per-user trails (404 for a non-member, 403 for other roles)."""
    study = study_for_user(user, study_code)
    if not may_read_study_trail(user, study):
        raise PermissionDenied
    return study


def trail_user_for_user(user, study_code: str, user_id: int) -> tuple:
    """(study, target user): a 404 unless the target holds (or held) a membership in the user's study."""
    study = study_for_user(user, study_code)
    if not Membership.objects.filter(study=study, user_id=user_id).exists():
        raise Http404
    if not may_read_study_trail(user, study):
        raise PermissionDenied
    return study, User.objects.get(pk=user_id)


def object_events_for_user(user, object_type: str, object_id: str):
    if not may_see_object(user, object_type, object_id):
        raise Http404
    events = object_events(user, object_type, object_id)
    if not events.exists():
        raise Http404
    return events
