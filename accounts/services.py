from collections.abc import Iterable

from django.db import transaction

from .models import Membership, Role, User


@transaction.atomic
def membership_grant(*, user: User, study, role: str, sites: Iterable = (), all_sites: bool = False) -> Membership:
    """Give ``user`` a role in ``study`` at ``sites`` (or every site). Replaces an earlier grant."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    sites = list(sites)
    if any(site.study_id != study.pk for site in sites):
        raise ValueError("every site must belong to the study")
    membership, _ = Membership.objects.update_or_create(
        user=user, study=study, defaults={"role": role, "all_sites": all_sites, "is_active": True}
    )
    membership.sites.set(sites)
    return membership


@transaction.atomic
def user_create(*, username: str, password: str, email: str = "", display_name: str = "") -> User:
    """Create a user whose password passes the password policy (raises ValidationError otherwise)."""
    from django.contrib.auth.password_validation import validate_password

    user = User(username=username, email=email, display_name=display_name)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    return user
