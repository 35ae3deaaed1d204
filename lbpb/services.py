"""Orchestration over accounts and audit: users and study roles set up from the command line and the admin.

``accounts`` sits below ``audit``, so its services (``user_create``, ``membership_grant``) cannot record
audit events themselves; these services call them and record what changed, in one transaction.
"""

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from accounts.models import Membership, User
from accounts.services import membership_grant, user_create
from audit.models import AuditEvent
from audit.services import audit_record, diff, snapshot

# Never the password hash: the trail records that a password changed, not what it became.
USER_FIELDS = ["username", "email", "display_name", "is_active", "is_staff", "is_superuser"]
# What the Django admin's user page may change (lbpb/admin.py), all of it recorded.
USER_ADMIN_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "display_name",
    "is_active",
    "is_staff",
    "is_superuser",
]


def _membership_state(membership: Membership | None) -> dict:
    if membership is None:
        return {}
    state = snapshot(membership, fields=["role", "all_sites", "is_active"])
    state["sites"] = sorted(membership.sites.values_list("code", flat=True))
    return state


@transaction.atomic
def user_upsert(
    *, username: str, email: str, password: str | None, actor: User | None = None, path: str = AuditEvent.Path.COMMAND
) -> tuple[User, bool]:
    """Create ``username`` (a password is then required) or update its e-mail and, if given, its password.

    Returns ``(user, created)``. The password must pass the password policy (ValidationError otherwise).
    """
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        if not password:
            raise ValueError("a new user needs a password")
        user = user_create(username=username, password=password, email=email)
        audit_record(
            user=actor,
            action=AuditEvent.Action.CREATE,
            instance=user,
            changes=diff({}, snapshot(user, USER_FIELDS)),
            path=path,
        )
        return user, True
    before = snapshot(user, USER_FIELDS)
    user.email = email or user.email
    if password:
        validate_password(password, user)
        user.set_password(password)
    user.save()
    changes = diff(before, snapshot(user, USER_FIELDS))
    if password:
        changes["password"] = ["", "changed"]
    if changes:
        audit_record(user=actor, action=AuditEvent.Action.UPDATE, instance=user, changes=changes, path=path)
    return user, False


@transaction.atomic
def study_role_grant(
    *,
    user: User,
    study,
    role: str,
    sites: Iterable = (),
    all_sites: bool = False,
    actor: User | None = None,
    path: str = AuditEvent.Path.COMMAND,
) -> Membership:
    """Give ``user`` ``role`` in ``study`` (replacing an earlier role there) through ``membership_grant``, audited."""
    existing = Membership.objects.filter(user=user, study=study).first()
    before = _membership_state(existing)
    membership = membership_grant(user=user, study=study, role=role, sites=sites, all_sites=all_sites)
    changes = diff(before, _membership_state(membership))
    if changes:
        action = AuditEvent.Action.UPDATE if existing else AuditEvent.Action.CREATE
        audit_record(user=actor, action=action, instance=membership, changes=changes, path=path)
    return membership


@transaction.atomic
def user_update(
    *, user: User, actor: User | None, path: str = AuditEvent.Path.PAGE, reason: str = "", request=None
) -> dict:
    """Save the changes made to ``user`` (an edited, unsaved instance) and audit them; returns the changes.

    The stored row is read again (locked) for the "before" values. A changed password is recorded as changed,
    never its hash.
    """
    stored = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(stored, USER_ADMIN_FIELDS)
    user.save()
    changes = diff(before, snapshot(user, USER_ADMIN_FIELDS))
    if user.password != stored.password:
        changes["password"] = ["", "changed"]
    if changes:
        audit_record(
            user=actor,
            action=AuditEvent.Action.UPDATE,
            instance=user,
            changes=changes,
            path=path,
            reason=reason,
            request=request,
        )
    return changes


def user_password_recorded(
    *, user: User, actor: User | None, path: str = AuditEvent.Path.PAGE, reason: str = "", request=None
):
    """Record that ``user``'s password was changed (by Django's own password form, in the caller's transaction)."""
    return audit_record(
        user=actor,
        action=AuditEvent.Action.UPDATE,
        instance=user,
        changes={"password": ["", "changed"]},
        path=path,
        reason=reason,
        request=request,
    )


# Stored in the trail as the event's reason (with path "page"), beside "password: changed".
PASSWORD_CHANGE_REASON = "password changed by its user"
PASSWORD_RESET_REASON = "password reset by e-mail link"


@transaction.atomic
def user_password_set(*, user: User, password: str, reason: str, request=None) -> None:
    """``user`` sets its own new password (the change page, or a reset link): saved and audited together.

    The password policy is checked here again (the forms check it first, with their messages); the trail records
    that the password changed, never the hash.
    """
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    user_password_recorded(user=user, actor=user, path=AuditEvent.Path.PAGE, reason=reason, request=request)
