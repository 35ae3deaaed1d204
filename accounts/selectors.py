import hashlib

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from .models import Invitation, Membership, User


def memberships_for_user(user: User | AnonymousUser) -> QuerySet[Membership]:
    """Active memberships of ``user``, with study and sites loaded."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, is_active=True, study__is_active=True)
        .select_related("study")
        .prefetch_related("sites")
        .order_by("study__code")
    )


def membership_for(user: User | AnonymousUser, study) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, study=study, is_active=True).prefetch_related("sites").first()


def roles_for_user(user: User | AnonymousUser) -> set[str]:
    return set(memberships_for_user(user).values_list("role", flat=True))


def token_hash(token: str) -> str:
    """What an invitation stores of its link's token (accounts.models.Invitation)."""
    return hashlib.sha256(token.encode()).hexdigest()


def open_invitation(token: str):
    """The invitation whose link carries ``token``, if it is neither used, revoked nor expired; else None."""
    return (
        Invitation.objects.filter(
            token_hash=token_hash(token), accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
        )
        .select_related("study")
        .prefetch_related("sites")
        .first()
    )


def members_listed(members: QuerySet[Membership]) -> QuerySet[Membership]:
    """``members`` for the "who has access to what" page: user, sites and last log-in loaded, by user name."""
    return members.select_related("user").prefetch_related("sites").order_by("-is_active", "user__username")
