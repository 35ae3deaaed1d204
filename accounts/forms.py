from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LOCKED = _("Too many wrong passwords: your account is locked for a while. Your password was not changed.")


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, with the old password checked through ``authenticate``: django-axes then counts a wrong one
    as a failed log-in (same user name and address, limit and cool-off), so the page is no way round the lock-out,
    and even the right one is refused while the account is locked (error code ``locked``)."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        checked = authenticate(self.request, username=self.user.get_username(), password=old_password)
        if getattr(self.request, "axes_locked_out", False):
            raise ValidationError(LOCKED, code="locked")
        if checked is None or checked.pk != self.user.pk:
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password
