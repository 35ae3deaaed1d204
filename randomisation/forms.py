"""Forms for randomisation pages: they only parse and validate input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.inputs import BoundedInputMixin

from .services import MAX_SIZE


class AllocationListForm(BoundedInputMixin, forms.Form):
    size = forms.IntegerField(
        label=_("Size per stratum"),
        min_value=1,
        max_value=MAX_SIZE,
        help_text=_("Number of randomisation numbers in each stratum (the whole list when not stratified)."),
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=2**62,
        help_text=_(
            "Leave blank to draw a random seed. The seed is stored and shown only to the unblinded statistician."
        ),
    )
    strata = forms.MultipleChoiceField(
        label=_("Stratify by"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each combination gets its own list of permuted blocks of random size."),
    )

    def __init__(self, *args, factors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strata"].choices = factors


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
