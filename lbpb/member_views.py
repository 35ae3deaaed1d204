"""The study's members page: who has access to what, invitations, roles and sites given and withdrawn, accounts
deactivated. Here, not in accounts, because each change is saved with its audit row (lbpb.services) and the audit
trail sits above accounts. Who may change what is accounts.access and accounts.capabilities (may_grant)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import (
    invitation_for_manager,
    invitations_in_reach,
    manager_sites,
    may_deactivate,
    member_for_manager,
    members_in_reach,
    require_manager,
)
from accounts.capabilities import Action, grantable_roles, role_may
from accounts.forms import InvitationAcceptForm, InviteForm, MemberForm, ReasonForm
from accounts.models import Membership, User
from accounts.selectors import members_listed, open_invitation
from audit.models import AuditEvent
from studies.access import study_for_members_page

from .services import (
    invitation_accept,
    invitation_revoke,
    invitation_send,
    study_role_grant,
    study_role_withdraw,
    user_deactivate,
)


def _managed_study(request, study_code: str):
    study = study_for_members_page(request.user, study_code)
    require_manager(request.user, study)
    return study


def _posted(request):
    """The POST data of a submission (an empty POST too, which is then a form error), None for a GET."""
    return request.POST if request.method == "POST" else None


def _form_kwargs(request, study) -> dict:
    sites = manager_sites(request.user, study)
    return {
        "roles": grantable_roles(request.user, study),
        "sites": study.sites.all() if sites is None else sites,
        "all_sites_allowed": sites is None,
    }


def _where(form) -> dict:
    all_sites = bool(form.cleaned_data.get("all_sites"))
    return {"all_sites": all_sites, "sites": [] if all_sites else list(form.cleaned_data["sites"])}


def member_list(request, study_code: str):
    """Users × role × sites, with their last log-in, and the invitations not yet used."""
    study = _managed_study(request, study_code)
    members = members_listed(members_in_reach(request.user, study))
    invitations = invitations_in_reach(request.user, study).filter(accepted_at=None, revoked_at=None)
    context = {"study": study, "members": members, "invitations": invitations.prefetch_related("sites")}
    return render(request, "accounts/member_list.html", context)


def member_invite(request, study_code: str):
    """Invite an e-mail address (a one-time link), or give the role at once to the account that has it."""
    study = _managed_study(request, study_code)
    form = InviteForm(_posted(request), **_form_kwargs(request, study))
    if request.method == "POST" and form.is_valid():
        try:
            done = _invite_or_grant(request, study, form)
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(request, done)
            return redirect("accounts:member-list", study.code)
    return render(request, "accounts/member_invite.html", {"study": study, "form": form}, status=_status(request, form))


def _status(request, form) -> int:
    return 400 if request.method == "POST" and form.errors else 200


def _invite_or_grant(request, study, form) -> str:
    email = form.cleaned_data["email"]
    accounts = list(User.objects.filter(email__iexact=email)[:2])
    if not accounts:
        invitation_send(
            study=study,
            email=email,
            role=form.cleaned_data["role"],
            actor=request.user,
            site_url=request.build_absolute_uri("/"),
            request=request,
            **_where(form),
        )
        return _("An invitation was sent to %(email)s.") % {"email": email}
    if len(accounts) > 1 or not accounts[0].is_active:
        raise ValidationError(_("This address belongs to several accounts or to a deactivated one."), code="unclear")
    if Membership.objects.filter(user=accounts[0], study=study).exists():
        raise ValidationError(_("This user is already a member of the study: change their role below."), code="member")
    study_role_grant(
        user=accounts[0],
        study=study,
        role=form.cleaned_data["role"],
        actor=request.user,
        path=AuditEvent.Path.PAGE,
        request=request,
        **_where(form),
    )
    return _("%(user)s already had an account and now has the role.") % {"user": accounts[0]}


def member_edit(request, study_code: str, member_id: int):
    """Change a member's role and sites (or give them again after a withdrawal)."""
    study = study_for_members_page(request.user, study_code)
    member = member_for_manager(request.user, study, member_id)
    initial = {"role": member.role, "all_sites": member.all_sites, "sites": list(member.sites.all())}
    form = MemberForm(_posted(request), initial=initial, **_form_kwargs(request, study))
    if request.method == "POST" and form.is_valid():
        study_role_grant(
            user=member.user,
            study=study,
            role=form.cleaned_data["role"],
            actor=request.user,
            path=AuditEvent.Path.PAGE,
            request=request,
            **_where(form),
        )
        messages.success(request, _("The role of %(user)s was changed.") % {"user": member.user})
        return redirect("accounts:member-list", study.code)
    return _edit_page(request, study, member, form, ReasonForm(), status=_status(request, form))


def _edit_page(request, study, member, form, reason_form, *, status: int = 200):
    context = {
        "study": study,
        "member": member,
        "form": form,
        "reason_form": reason_form,
        "may_deactivate": may_deactivate(request.user, member) and member.user.is_active,
    }
    return render(request, "accounts/member_edit.html", context, status=status)


def _reason_or_page(request, study, member):
    reason_form = ReasonForm(request.POST)
    if reason_form.is_valid():
        return reason_form.cleaned_data["reason"], None
    form = MemberForm(initial={"role": member.role}, **_form_kwargs(request, study))
    return None, _edit_page(request, study, member, form, reason_form, status=400)


@require_POST
def member_withdraw(request, study_code: str, member_id: int):
    """End the member's role in this study (their account and other studies stay)."""
    return _member_end(request, study_code, member_id, deactivate=False)


@require_POST
def member_deactivate(request, study_code: str, member_id: int):
    """Deactivate the member's account (accounts.access.may_deactivate says whose)."""
    return _member_end(request, study_code, member_id, deactivate=True)


def _member_end(request, study_code: str, member_id: int, *, deactivate: bool):
    study = study_for_members_page(request.user, study_code)
    member = member_for_manager(request.user, study, member_id)
    if deactivate and not may_deactivate(request.user, member):
        raise PermissionDenied
    reason, page = _reason_or_page(request, study, member)
    if page is not None:
        return page
    if deactivate:
        user_deactivate(user=member.user, actor=request.user, reason=reason, study=study, request=request)
        done = _("The account of %(user)s is deactivated.")
    else:
        study_role_withdraw(membership=member, actor=request.user, reason=reason, request=request)
        done = _("%(user)s no longer has a role in this study.")
    messages.success(request, done % {"user": member.user})
    return redirect("accounts:member-list", study.code)


@require_POST
def invitation_revoke_page(request, study_code: str, invitation_id: int):
    study = study_for_members_page(request.user, study_code)
    invitation = invitation_for_manager(request.user, study, invitation_id)
    invitation_revoke(invitation=invitation, actor=request.user, request=request)
    messages.success(request, _("The invitation to %(email)s no longer works.") % {"email": invitation.email})
    return redirect("accounts:member-list", study.code)


@login_not_required
def invitation_accept_page(request, token: str):
    """The invitation link: the invitee chooses a user name and password, then logs in (and sets up two-factor
    log-in first when their role needs it). One plain page for any link that is unknown, used or expired."""
    invitation = open_invitation(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = InvitationAcceptForm(_posted(request), email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = invitation_accept(
                invitation=invitation,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                display_name=form.cleaned_data["display_name"],
                request=request,
            )
        except ValidationError:
            return render(request, "accounts/invitation_invalid.html", status=404)
        if request.user.is_authenticated:
            logout(request)
        messages.success(request, _("Your account is ready: log in with your user name and password."))
        return redirect(_login_url(membership.role))
    context = {"invitation": invitation, "form": form}
    return render(request, "accounts/invitation_accept.html", context, status=_status(request, form))


def _login_url(role: str) -> str:
    """The log-in page, then the two-factor set-up when the role needs it (RequireTwoFactorMiddleware would send
    the user there anyway; going there at once saves a detour)."""
    login = reverse("two_factor:login")
    if settings.REQUIRE_2FA and role_may(role, Action.USE_TWO_FACTOR):
        return f"{login}?{urlencode({'next': reverse('two_factor:setup')})}"
    return login
