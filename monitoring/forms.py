from django import forms
from django.utils.translation import gettext_lazy as _

from core.inputs import BoundedInputMixin

from .models import Signature


class LockForm(BoundedInputMixin, forms.Form):
    """Lock in two steps: the first POST shows what the lock covers; the second, ``confirmed``, locks."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
    override_reason = forms.CharField(
        label=_("Reason for locking before the review is complete"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


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
    override_reason = forms.CharField(
        label=_("Reason for signing before the review is complete"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # The password is never sent back to the page (render_value=False).
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(render_value=False),
        strip=False,
        error_messages={"required": _("Enter your password to sign.")},
    )
