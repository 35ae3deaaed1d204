from collections.abc import Iterable

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

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


class AccountLockedOut(ValidationError):
    """Too many wrong passwords: the account is locked for log-in and for re-entered passwords alike."""


def password_reconfirm(*, request: HttpRequest, user: User, password: str) -> None:
    """Check the password a signed-in user types again (an e-signature) with the log-in's lock-out.

    It goes through ``authenticate`` so that django-axes counts a wrong password exactly as a failed log-in
    (same user name and address, same limit and cool-off), and refuses even the right password once the
    account is locked. Call it outside any transaction that a refusal rolls back: axes' record of the failure
    must stay. Raises ``AccountLockedOut`` when locked, ValidationError for a wrong password.
    """
    checked = authenticate(request, username=user.get_username(), password=password or "")
    if getattr(request, "axes_locked_out", False):
        raise AccountLockedOut(
            _("Too many wrong passwords: your account is locked for a while. Nothing was signed."), code="locked"
        )
    if checked is None or checked.pk != user.pk:
        raise ValidationError({"password": _("The password is not correct. Nothing was signed.")})
