"""Who may do what in monitoring. Objects come through the owning apps' access functions (a 404 outside the
user's scope); a role that may see the object but not act on it gets a 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Role
from accounts.selectors import membership_for
from participants.access import participant_for_user
from participants.models import Lock

DASHBOARD_ROLES = frozenset({Role.ADMIN, Role.DATA_MANAGER, Role.PI, Role.MONITOR})
VERIFY_ROLES = frozenset({Role.MONITOR})
LOCK_ROLES = frozenset({Role.DATA_MANAGER})
SIGN_ROLES = frozenset({Role.PI})


def role_in(user, study) -> str | None:
    cache = user.__dict__.setdefault("_monitoring_roles", {})
    if study.pk not in cache:
        membership = membership_for(user, study)
        cache[study.pk] = membership.role if membership else None
    return cache[study.pk]


def permissions(user, study) -> dict[str, bool]:
    role = role_in(user, study)
    return {
        "verify": role in VERIFY_ROLES,
        "lock": role in LOCK_ROLES,
        "sign": role in SIGN_ROLES,
        "dashboard": role in DASHBOARD_ROLES,
    }


def require(user, study, roles: frozenset) -> None:
    if role_in(user, study) not in roles:
        raise PermissionDenied


def lock_for_user(user, lock_id: int) -> Lock:
    """An active or past lock of a participant the user may see."""
    lock = get_object_or_404(Lock.objects.select_related("participant"), pk=lock_id)
    participant_for_user(user, lock.participant_id)  # a 404 outside the user's studies and sites
    return lock
