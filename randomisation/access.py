"""Who may see and do what in randomisation and blinding. Anything outside the user's scope is a 404.

Blinding rule: in an open study every member sees arms; in a blinded study (single or double) only the
Unblinded statistician does. Everyone else sees the randomisation number instead, except the one user who
performed an emergency unblinding, on the unblinding page only.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Role
from accounts.selectors import membership_for
from studies.models import Study
from studies.selectors import studies_for_user

from .models import AllocationList

# Generate and freeze allocation lists (an Admin generates without seeing the list or the seed afterwards).
GENERATE_ROLES = frozenset({Role.ADMIN, Role.UNBLINDED_STATISTICIAN})
# See the list itself (arms of every slot) and its seed.
LIST_ROLES = frozenset({Role.UNBLINDED_STATISTICIAN})
# Press "Randomise" for a participant.
RANDOMISE_ROLES = frozenset({Role.PI, Role.COORDINATOR})
# Ask for an emergency unblinding.
UNBLIND_ROLES = frozenset({Role.PI})
# Read the report of emergency unblindings.
REPORT_ROLES = frozenset({Role.ADMIN, Role.DATA_MANAGER, Role.UNBLINDED_STATISTICIAN})
# Told by email of every emergency unblinding.
NOTIFIED_ROLES = frozenset({Role.DATA_MANAGER})


def role_in(user, study) -> str | None:
    membership = membership_for(user, study)
    return membership.role if membership else None


def is_blinded(study: Study) -> bool:
    return study.blinding != Study.Blinding.NONE


def can_see_arms(user, study: Study) -> bool:
    """The one blinding check: may ``user`` see arms (of any participant) in ``study``?"""
    role = role_in(user, study)
    if role is None:
        return False
    return not is_blinded(study) or role == Role.UNBLINDED_STATISTICIAN


def has_role(user, study: Study, roles) -> bool:
    return role_in(user, study) in roles


def require_role(user, study: Study, roles) -> None:
    """A 403: the user is a member of the study (the object was found) but not in a role that may do this."""
    if not has_role(user, study, roles):
        raise PermissionDenied


def allocation_list_for_user(user, allocation_list_id: int) -> AllocationList:
    """An allocation list of one of the user's studies (a 404 otherwise); roles are checked by the caller."""
    return get_object_or_404(
        AllocationList.objects.select_related("study").filter(study__in=studies_for_user(user)),
        pk=allocation_list_id,
    )
