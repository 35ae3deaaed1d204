"""Access to participants: one check per object type; anything outside the user's scope is a 404.

Role rules live here too: who may act on participants, who may see directly identifying data, who may
see the arm of a blinded study.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Role
from accounts.selectors import membership_for

from .models import Participant, PersonalIdentifiers, Visit
from .selectors import participants_for_user

# Site staff who screen, consent, enrol and follow participants.
MANAGE_ROLES = frozenset({Role.ADMIN, Role.PI, Role.COORDINATOR})
# Names, phones and national IDs: site staff only, never monitors or statisticians.
PII_ROLES = frozenset({Role.ADMIN, Role.PI, Role.COORDINATOR})


def participant_for_user(user, participant_id: int) -> Participant:
    return get_object_or_404(participants_for_user(user), pk=participant_id)


def visit_for_user(user, participant: Participant, visit_id) -> Visit:
    """A visit of a participant the user may already see (``participant`` comes from participant_for_user)."""
    try:
        return Visit.objects.get(participant=participant, pk=int(visit_id))
    except (TypeError, ValueError, Visit.DoesNotExist):
        raise Http404 from None


def _role(user, study) -> str | None:
    """The user's role in the study, looked up once per user object (``request.user`` lives for one request)."""
    cache = user.__dict__.setdefault("_participant_roles", {})
    if study.pk not in cache:
        membership = membership_for(user, study)
        cache[study.pk] = membership.role if membership else None
    return cache[study.pk]


def may_manage(user, study) -> bool:
    return _role(user, study) in MANAGE_ROLES


def require_manage(user, study) -> None:
    """Write actions on participants: site staff only (a 403, since the user may see the participant)."""
    if not may_manage(user, study):
        raise PermissionDenied


def may_see_personal_identifiers(user, study) -> bool:
    return _role(user, study) in PII_ROLES


def personal_identifiers_for_user(user, participant: Participant) -> PersonalIdentifiers:
    """The participant's identifying data for a role that may see it; a 404 for everyone else."""
    if not may_see_personal_identifiers(user, participant.study):
        raise Http404
    return get_object_or_404(PersonalIdentifiers, participant=participant)


def may_see_arm(user, study) -> bool:
    """The one blinding rule is randomisation.access.can_see_arms; this name serves the participant pages."""
    from randomisation.access import can_see_arms

    return can_see_arms(user, study)
