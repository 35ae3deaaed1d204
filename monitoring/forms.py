from django import forms
from django.utils.translation import gettext_lazy as _

from core.inputs import BoundedInputMixin

from .models import Signature


class LockForm(BoundedInputMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class UnlockForm(BoundedInputMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for unlocking"),
        max_length=500,
        error_messages={"required": _("Give the reason for unlocking.")},
    )


class SignForm(BoundedInputMixin, forms.Form):
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
