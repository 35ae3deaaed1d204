"""Writes of API tokens: make (or remake) one, revoke one, record its use. Creation and revocation are audited;
the token itself is returned once and never stored (only its SHA-256)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.selectors import membership_for
from audit.models import AuditEvent
from audit.services import audit_record

from .models import ApiToken, SuperToken


class NotAMember(ValueError):
    """A token is made only for a user who is an active member of the study."""


class NotAServerAdministrator(ValueError):
    """A super token is made only for an active superuser (a server administrator)."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    key: str  # the 32-hex token, shown to its owner once


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("ascii", "replace")).hexdigest()


def token_create(*, user, study, by, path: str = AuditEvent.Path.PAGE, expires_at=None) -> NewToken:
    """A new token for ``user`` in ``study``; the user's previous live token there is revoked (regenerate)."""
    if membership_for(user, study) is None:
        raise NotAMember(f"{user} is not an active member of {study.code}")
    key = secrets.token_hex(16)
    with transaction.atomic():
        for old in ApiToken.objects.select_for_update().filter(user=user, study=study, revoked_at__isnull=True):
            _revoke(old, by=by, path=path)
        token = ApiToken.objects.create(
            user=user,
            study=study,
            key_hash=hash_key(key),
            last_characters=key[-4:],
            created_by=by,
            expires_at=expires_at,
        )
        audit_record(
            user=by,
            action=AuditEvent.Action.CREATE,
            instance=token,
            study=study,
            changes={"user": [None, user.username], "last_characters": [None, token.last_characters]},
            path=path,
        )
    return NewToken(token=token, key=key)


def token_revoke(*, token: ApiToken, by, path: str = AuditEvent.Path.PAGE) -> None:
    with transaction.atomic():
        _revoke(token, by=by, path=path)


def _revoke(token: ApiToken, *, by, path: str) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        user=by,
        action=AuditEvent.Action.DELETE,
        instance=token,
        study=token.study,
        changes={"revoked_at": [None, token.revoked_at.isoformat()]},
        path=path,
    )


def token_record_use(*, token: ApiToken) -> None:
    # One UPDATE with F(): concurrent calls with the same token each count (no read-modify-write race).
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now(), use_count=F("use_count") + 1)


@dataclass(frozen=True)
class NewSuperToken:
    token: SuperToken
    key: str  # the 64-hex super token, shown once


def super_token_create(*, user, by, path: str = AuditEvent.Path.COMMAND) -> NewSuperToken:
    """A new super token for a server administrator; their previous one is revoked. Audited."""
    if not (user.is_active and user.is_superuser):
        raise NotAServerAdministrator(f"{user} is not an active server administrator (superuser)")
    key = secrets.token_hex(32)
    with transaction.atomic():
        now = timezone.now()
        for old in SuperToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True):
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
            audit_record(user=by, action=AuditEvent.Action.DELETE, instance=old, changes={}, path=path)
        token = SuperToken.objects.create(user=user, key_hash=hash_key(key), last_characters=key[-4:])
        audit_record(
            user=by,
            action=AuditEvent.Action.CREATE,
            instance=token,
            changes={"user": [None, user.username], "last_characters": [None, token.last_characters]},
            path=path,
        )
    return NewSuperToken(token=token, key=key)


def super_token_record_use(*, token: SuperToken) -> None:
    SuperToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now(), use_count=F("use_count") + 1)
