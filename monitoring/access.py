"""Who may do what in monitoring. Objects come through the owning apps' access functions (a 404 outside the
user's scope); a role that may see the object but not act on it gets a 403.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.capabilities import Action, role_in, role_may
from participants.access import participant_for_user
from participants.models import Lock


def permissions(user, study) -> dict[str, bool]:
    """What the casebook page may offer (the templates read ``can.verify`` and so on)."""
    role = role_in(user, study)
    return {
        "verify": role_may(role, Action.VERIFY),
        "lock": role_may(role, Action.LOCK),
        "sign": role_may(role, Action.SIGN),
        "dashboard": role_may(role, Action.VIEW_MONITORING),
    }


def lock_for_user(user, lock_id: int) -> Lock:
    """An active or past lock of a participant the user may see."""
    lock = get_object_or_404(Lock.objects.select_related("participant"), pk=lock_id)
    participant_for_user(user, lock.participant_id)  # a 404 outside the user's studies and sites
    return lock
