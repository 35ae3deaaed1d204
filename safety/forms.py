from django import forms
from django.utils.translation import gettext_lazy as _

from core.inputs import BoundedInputMixin

from .models import SaeReport


class SaeReportForm(BoundedInputMixin, forms.Form):
    """When, to whom and how one SAE report was made (the time is read in the server's time zone)."""

    reported_at = forms.DateTimeField(
        label=_("Reported at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reported_to = forms.CharField(label=_("Reported to (name and role)"), max_length=200)
    method = forms.ChoiceField(label=_("How"), choices=[("", "---------"), *SaeReport.Method.choices])
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
