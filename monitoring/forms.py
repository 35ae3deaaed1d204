from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Signature


class LockForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class UnlockForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for unlocking"),
        max_length=500,
        error_messages={"required": _("Give the reason for unlocking.")},
    )


class SignForm(forms.Form):
    meaning = forms.ChoiceField(
        label=_("Meaning of your signature"),
        choices=Signature.Meaning.choices,
        widget=forms.RadioSelect,
        initial=Signature.Meaning.REVIEWED,
    )
    # The password is never sent back to the page (render_value=False).
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(render_value=False),
        strip=False,
        error_messages={"required": _("Enter your password to sign.")},
    )
