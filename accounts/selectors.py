from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from .models import Membership, User


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
