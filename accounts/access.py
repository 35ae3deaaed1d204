"""Who may see and change which membership of a study (the study's members page).

A manager reaches the memberships inside their own sites: every membership of the study when the manager holds
all of its sites (or is a server administrator), otherwise those limited to sites the manager holds too, so a
site-A Admin can neither see nor change what a member does at site B. A membership outside that reach is a 404,
like a missing one; one inside it that the user may not change is a 403 (accounts.capabilities.may_grant).
The study is passed in (accounts imports no study app); only its ``pk`` and ``sites`` are read.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .capabilities import Action, can_on_server, may_grant, may_manage_members
from .models import Invitation, Membership
from .selectors import membership_for


def manager_sites(user, study) -> QuerySet | None:
    """The sites within ``user``'s reach in ``study``: None for all of them, else a queryset (maybe empty)."""
    if can_on_server(user, Action.MANAGE_ANY_STUDY_MEMBERS):
        return None
    membership = membership_for(user, study)
    if membership is None:
        return study.sites.none()
    return None if membership.all_sites else membership.sites.all()


def _in_reach(rows: QuerySet, user, study) -> QuerySet:
    """``rows`` (memberships or invitations: ``all_sites`` and ``sites``) of ``study`` within ``user``'s sites."""
    rows = rows.filter(study=study)
    sites = manager_sites(user, study)
    if sites is None:
        return rows
    outside = study.sites.exclude(pk__in=sites.values("pk"))
    return rows.filter(all_sites=False, sites__in=sites).exclude(sites__in=outside).distinct()


def members_in_reach(user, study) -> QuerySet[Membership]:
    return _in_reach(Membership.objects.all(), user, study)


def invitations_in_reach(user, study) -> QuerySet[Invitation]:
    return _in_reach(Invitation.objects.all(), user, study)


def require_manager(user, study) -> None:
    if not may_manage_members(user, study):
        raise PermissionDenied


def member_for_manager(user, study, member_id: int) -> Membership:
    """The membership ``member_id`` of ``study`` for a manager who may change it: 404 outside the user's reach,
    403 for a user who may not manage members, for the user's own membership (another manager changes it) and
    for a membership whose role the user may not grant."""
    member = get_object_or_404(members_in_reach(user, study).select_related("user"), pk=member_id)
    require_manager(user, study)
    if member.user_id == user.pk or not may_grant(user, study, member.role):
        raise PermissionDenied
    return member


def invitation_for_manager(user, study, invitation_id: int) -> Invitation:
    """An invitation of ``study`` within ``user``'s reach (404 otherwise) whose role the user may grant (403)."""
    invitation = get_object_or_404(invitations_in_reach(user, study), pk=invitation_id)
    require_manager(user, study)
    if not may_grant(user, study, invitation.role):
        raise PermissionDenied
    return invitation


def may_deactivate(user, member: Membership) -> bool:
    """A study manager deactivates only an account that is theirs to manage alone: no staff or superuser, and no
    active role in another study (there, withdraw the role in this study instead). A server administrator may
    deactivate any account but their own."""
    target = member.user
    if target.pk == user.pk:
        return False
    if can_on_server(user, Action.MANAGE_ANY_STUDY_MEMBERS):
        return True
    if target.is_staff or target.is_superuser:
        return False
    return not target.memberships.filter(is_active=True).exclude(study_id=member.study_id).exists()
