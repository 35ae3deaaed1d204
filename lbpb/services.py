"""Orchestration over accounts and audit: users and study roles set up from the command line, the admin and the
study's members page (invitations by e-mail link, roles and sites given and withdrawn, users deactivated).

``accounts`` sits below ``audit``, so its services (``user_create``, ``membership_grant``) cannot record
audit events themselves; these services call them and record what changed, in one transaction.
"""

import datetime
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Invitation, Membership, Role, User
from accounts.selectors import token_hash
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
    reason: str = "",
    request=None,
) -> Membership:
    """Give ``user`` ``role`` in ``study`` (replacing an earlier role there) through ``membership_grant``, audited."""
    existing = Membership.objects.filter(user=user, study=study).first()
    before = _membership_state(existing)
    membership = membership_grant(user=user, study=study, role=role, sites=sites, all_sites=all_sites)
    changes = diff(before, _membership_state(membership))
    if changes:
        action = AuditEvent.Action.UPDATE if existing else AuditEvent.Action.CREATE
        audit_record(
            user=actor, action=action, instance=membership, changes=changes, path=path, reason=reason, request=request
        )
    return membership


@transaction.atomic
def study_role_withdraw(*, membership: Membership, actor: User, reason: str, request=None) -> Membership:
    """End ``membership`` (the user keeps their account, other studies and audit history); audited. Giving a role
    again (``study_role_grant``) makes it active again."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _deactivate(membership, actor=actor, reason=reason, request=request)
    return membership


def _deactivate(row, *, actor: User, reason: str, request, study=None) -> None:
    """Set ``row.is_active`` off (a locked row) and audit it; nothing when it was off already."""
    if not row.is_active:
        return
    row.is_active = False
    row.save(update_fields=["is_active"])
    audit_record(
        user=actor,
        action=AuditEvent.Action.UPDATE,
        instance=row,
        study=study,
        changes={"is_active": [True, False]},
        path=AuditEvent.Path.PAGE,
        reason=reason,
        request=request,
    )


@transaction.atomic
def user_deactivate(*, user: User, actor: User, reason: str, study=None, request=None) -> User:
    """Deactivate ``user``: they can no longer log in (Django refuses inactive users, and a session they hold
    ends at its next request); nothing is deleted, their memberships and audit history stay. Audited, on
    ``study``'s trail when one is given (the members page it was done from)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."), code="self")
    _deactivate(user, actor=actor, reason=reason, request=request, study=study)
    return user


# Days an invitation's link stays valid.
INVITATION_DAYS = 7


def _sites_state(*, sites: Iterable, all_sites: bool) -> list[str] | str:
    return "all" if all_sites else sorted(site.code for site in sites)


@transaction.atomic
def invitation_send(
    *,
    study,
    email: str,
    role: str,
    sites: Iterable = (),
    all_sites: bool = False,
    actor: User,
    site_url: str,
    request=None,
) -> Invitation:
    """Invite ``email`` to ``study`` as ``role`` at ``sites`` (or every site): an e-mail with a one-time link to
    ``site_url`` + the invitation page, sent after the commit. Only the token's hash is stored; audited."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    sites = [] if all_sites else list(sites)
    if any(site.study_id != study.pk for site in sites):
        raise ValueError("every site must belong to the study")
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        study=study,
        role=role,
        all_sites=all_sites,
        token_hash=token_hash(token),
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
        invited_by=actor,
    )
    invitation.sites.set(sites)
    changes = {"email": email, "role": role, "sites": _sites_state(sites=sites, all_sites=all_sites)}
    audit_record(
        user=actor,
        action=AuditEvent.Action.CREATE,
        instance=invitation,
        study=study,
        changes=diff({}, {**changes, "expires_at": invitation.expires_at.isoformat()}),
        path=AuditEvent.Path.PAGE,
        request=request,
    )
    link = site_url.rstrip("/") + reverse("accounts:invitation-accept", args=[token])
    transaction.on_commit(lambda: _send_invitation(invitation, link))
    return invitation


def _send_invitation(invitation: Invitation, link: str) -> None:
    context = {"invitation": invitation, "link": link, "days": INVITATION_DAYS}
    subject = render_to_string("accounts/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/invitation_email.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, username: str, password: str, display_name: str = "", request=None
) -> Membership:
    """The invitee becomes a user (``username``, ``password``, which must pass the password policy) with the
    invitation's role and sites. Works once: a used, revoked or expired invitation raises ValidationError."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at or invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation link has been used or has expired."), code="used")
    user = user_create(username=username, password=password, email=invitation.email, display_name=display_name)
    audit_record(
        user=user,
        action=AuditEvent.Action.CREATE,
        instance=user,
        study=invitation.study,
        changes=diff({}, snapshot(user, USER_FIELDS)),
        path=AuditEvent.Path.PAGE,
        reason=INVITATION_REASON,
        request=request,
    )
    membership = study_role_grant(
        user=user,
        study=invitation.study,
        role=invitation.role,
        sites=invitation.sites.all(),
        all_sites=invitation.all_sites,
        actor=user,
        path=AuditEvent.Path.PAGE,
        reason=INVITATION_REASON,
        request=request,
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User, request=None) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            user=actor,
            action=AuditEvent.Action.UPDATE,
            instance=invitation,
            study=invitation.study,
            changes={"revoked_at": [None, invitation.revoked_at.isoformat()]},
            path=AuditEvent.Path.PAGE,
            request=request,
        )
    return invitation


# Stored in the trail as the reason of the user and membership an accepted invitation creates.
INVITATION_REASON = "invitation accepted"


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
