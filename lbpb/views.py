"""The home page, and the password pages every user has (change, and reset by e-mail).

The password pages are Django's own views with the product's templates. They live here, not in accounts, because a
new password is saved together with its audit row (``lbpb.services.user_password_set``) and the audit trail sits
above accounts; lbpb/urls.py puts them in the ``accounts`` namespace beside the account page.
"""

from django.conf import settings
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _

from accounts.capabilities import Action, can_on_server
from accounts.forms import PasswordChangeForm
from accounts.lockout import reset_request_limits
from accounts.selectors import memberships_for_user

from .services import PASSWORD_CHANGE_REASON, PASSWORD_RESET_REASON, user_password_set
from .worklist import shows_worklist, worklist

TOO_MANY_RESETS = _("Too many password-reset requests from your address. Please try again in an hour.")


def home(request):
    context = {
        "memberships": memberships_for_user(request.user),
        "may_create_study": can_on_server(request.user, Action.CREATE_STUDY),
        "worklist": worklist(request.user, today=timezone.localdate()) if shows_worklist(request.user) else None,
    }
    return render(request, "home.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password-change-done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        if form.has_error("old_password", "locked"):
            # As for log-in and the e-signature: the session ends, and the log-in page then shows the lock-out.
            logout(self.request)
            return redirect("two_factor:login")
        return super().form_invalid(form)

    def form_valid(self, form):
        user_password_set(
            user=form.user,
            password=form.cleaned_data["new_password1"],
            reason=PASSWORD_CHANGE_REASON,
            request=self.request,
        )
        update_session_auth_hash(self.request, form.user)  # stay signed in here; other sessions end
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """The same answer for every address: Django's form sends the e-mail only to active users with a usable
    password, and says nothing of the others. Past the hourly limit an address is refused whatever it asks for,
    and an e-mail address receives no more e-mails (the page still says the same)."""

    template_name = "accounts/password_reset_form.html"
    subject_template_name = "accounts/password_reset_subject.txt"
    email_template_name = "accounts/password_reset_email.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    def form_valid(self, form):
        address_over, email_over = reset_request_limits(request=self.request, email=form.cleaned_data["email"])
        if address_over:
            form.add_error(None, TOO_MANY_RESETS)
            return self.form_invalid(form)
        if email_over:
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = {"expiry_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}
        return super().form_valid(form)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A valid link (once, within PASSWORD_RESET_TIMEOUT) shows the new-password form; any other link a message."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):
        user_password_set(
            user=form.user,
            password=form.cleaned_data["new_password1"],
            reason=PASSWORD_RESET_REASON,
            request=self.request,
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


@method_decorator(login_not_required, name="dispatch")
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
