"""Forms for randomisation pages: they only parse and validate input; the services decide."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from core.inputs import BoundedInputMixin

from .services import MAX_SIZE, SEED_DIGITS, SEED_REFUSED


class AllocationListForm(BoundedInputMixin, forms.Form):
    size = forms.IntegerField(
        label=_("Size per stratum"),
        min_value=1,
        max_value=MAX_SIZE,
        help_text=_("Number of randomisation numbers in each stratum (the whole list when not stratified)."),
    )
    # Text, not a number input: a seed may have up to 78 digits, beyond what a browser's number field keeps.
    seed = forms.CharField(
        label=_("Seed"),
        required=False,
        max_length=SEED_DIGITS,
        validators=[RegexValidator(r"^[0-9]+$", _("Enter a whole number (digits only)."))],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_(
            "Leave blank and the server draws a secret 128-bit seed (recommended). Whoever knows the seed can "
            "rebuild the whole list, so a seed you choose must be as hard to guess. The seed is shown only to the "
            "unblinded statistician."
        ),
    )
    strata = forms.MultipleChoiceField(
        label=_("Stratify by"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each combination gets its own list of permuted blocks of random size."),
    )

    def __init__(self, *args, factors, may_set_seed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strata"].choices = factors
        self.may_set_seed = may_set_seed
        if not may_set_seed:
            del self.fields["seed"]

    def clean(self):
        cleaned = super().clean()
        if not self.may_set_seed and str(self.data.get("seed", "")).strip():
            # Refused rather than ignored: someone blinded tried to choose the list.
            raise forms.ValidationError(SEED_REFUSED, code="seed_forbidden")
        cleaned["seed"] = cleaned.get("seed") or None
        return cleaned

    @property
    def seed_refused(self) -> bool:
        return self.has_error(NON_FIELD_ERRORS, code="seed_forbidden")


class UnblindingForm(BoundedInputMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for the emergency unblinding"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only when the treatment must be known to care for the participant. The data managers are told."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this reveals the participant's treatment to me and is recorded."),
    )
