from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.i18n import field_text
from core.inputs import BoundedInputMixin

from .models import Role, User

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


class SiteChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} · {field_text(obj, 'name')}"


class MemberForm(BoundedInputMixin, forms.Form):
    """A role in a study at some of its sites, or at all of them. ``roles`` are the roles the manager may grant
    (accounts.capabilities.grantable_roles); ``sites`` the sites within the manager's reach; ``all_sites_allowed``
    whether the manager may give every site (only a manager who holds every site may)."""

    role = forms.ChoiceField(label=_("Role"))
    all_sites = forms.BooleanField(label=_("All sites, including sites added later"), required=False)
    sites = SiteChoiceField(label=_("Sites"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, roles, sites, all_sites_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [(role, Role(role).label) for role in roles]
        site_field = self.fields["sites"]
        assert isinstance(site_field, SiteChoiceField)
        site_field.queryset = sites
        if not all_sites_allowed:
            del self.fields["all_sites"]

    def clean(self):
        cleaned = super().clean() or {}
        if not cleaned.get("all_sites") and not cleaned.get("sites"):
            raise ValidationError(_("Choose at least one site, or all sites."), code="no_site")
        return cleaned


class InviteForm(MemberForm):
    email = forms.EmailField(label=_("E-mail address"))
    field_order = ["email", "role", "all_sites", "sites"]


class ReasonForm(BoundedInputMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class InvitationAcceptForm(BoundedInputMixin, forms.Form):
    """The invitee's user name and password: the password policy (AUTH_PASSWORD_VALIDATORS) is checked against
    the user they become."""

    username = forms.CharField(
        label=_("User name"), max_length=150, validators=[UnicodeUsernameValidator()], help_text=_("For logging in.")
    )
    display_name = forms.CharField(label=_("Your name, as others see it"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password (again)"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = password_validators_help_text_html()

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This user name is taken; choose another."), code="taken")
        return username

    def clean(self):
        cleaned = super().clean() or {}
        password, again = cleaned.get("password1"), cleaned.get("password2")
        if password and again and password != again:
            self.add_error("password2", ValidationError(_("The two passwords differ."), code="mismatch"))
        elif password and cleaned.get("username"):
            candidate = User(
                username=cleaned["username"], email=self.email, display_name=cleaned.get("display_name", "")
            )
            try:
                validate_password(password, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned
