"""Who may see and do what in randomisation and blinding. Anything outside the user's scope is a 404.

The roles and the blinding rule are in accounts.capabilities: in an open study every member sees arms; in a
blinded study (single or double) only the Unblinded statistician does. Everyone else sees the randomisation
number instead, except the one user who performed an emergency unblinding, on the unblinding page only.
"""

from django.shortcuts import get_object_or_404

from accounts.capabilities import can_see_arms, is_blinded
from studies.selectors import studies_for_user

from .models import AllocationList

__all__ = ["allocation_list_for_user", "can_see_arms", "is_blinded"]


def allocation_list_for_user(user, allocation_list_id: int) -> AllocationList:
    """An allocation list of one of the user's studies (a 404 otherwise); roles are checked by the caller."""
    return get_object_or_404(
        AllocationList.objects.select_related("study").filter(study__in=studies_for_user(user)),
        pk=allocation_list_id,
    )
