"""Forms of the biobank pages. Every bound is explicit, so a wrong number is a field error, never a 500."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.inputs import BoundedInputMixin

from .models import Box


def _when(label, required=False):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    return forms.DateTimeField(label=label, required=required, widget=widget)


def _int(label, low, high):
    return forms.IntegerField(label=label, required=False, min_value=low, max_value=high)


def _volume(label, required=False):
    return forms.DecimalField(
        label=label, required=required, min_value=Decimal("0"), max_value=Decimal("10000"), decimal_places=3
    )


class CollectForm(BoundedInputMixin, forms.Form):
    type_code = forms.ChoiceField(label=_("Specimen type"))
    activity_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    collected_at = _when(_("Collected at"), required=True)
    tube_id = forms.CharField(label=_("Tube or container ID"), required=False, max_length=64)
    volume_ml = _volume(_("Volume (mL)"))
    fasting = forms.NullBooleanField(label=_("Fasting"), required=False)
    received_at = _when(_("Received in the lab at"))
    centrifuged_at = _when(_("Centrifuged at"))
    centrifuge_g = _int(_("Centrifugation speed (g)"), 1, 100_000)
    centrifuge_minutes = _int(_("Centrifugation time (min)"), 1, 600)
    centrifuge_temperature_c = _int(_("Centrifugation temperature (°C)"), -30, 60)
    centrifuge_braking = forms.BooleanField(label=_("Brake on"), required=False, initial=True)
    kept_cold = forms.BooleanField(label=_("Kept at 2-10 °C before freezing"), required=False)
    aliquoted_at = _when(_("Aliquoted at"))
    frozen_at = _when(_("Frozen at"))
    storage_temperature_c = _int(_("Storage temperature (°C)"), -200, 40)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, type_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type_code"].choices = type_choices


class NotCollectedForm(BoundedInputMixin, forms.Form):
    type_code = forms.ChoiceField(label=_("Specimen type"))
    activity_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    reason = forms.CharField(label=_("Reason not collected"), max_length=500)

    def __init__(self, *args, type_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type_code"].choices = type_choices


class AliquotForm(BoundedInputMixin, forms.Form):
    type_code = forms.ChoiceField(label=_("Aliquot or derivative type"))
    count = forms.IntegerField(label=_("Number of aliquots"), min_value=1, max_value=200, initial=1)
    volume_ml = _volume(_("Volume of each (mL)"), required=True)

    def __init__(self, *args, type_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type_code"].choices = type_choices


class PlaceForm(BoundedInputMixin, forms.Form):
    box = forms.ModelChoiceField(label=_("Box"), queryset=Box.objects.none())
    position = forms.RegexField(
        label=_("Position"),
        regex=r"^[A-Za-z]\s*\d{1,2}$",
        max_length=4,
        help_text=_("Row letter and column number, e.g. A1 or C10."),
        error_messages={"invalid": _("Write the position as a row letter and a column number, e.g. A1.")},
    )

    def __init__(self, *args, boxes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["box"].queryset = boxes

    def cell(self) -> tuple[int, int]:
        text = self.cleaned_data["position"].replace(" ", "").upper()
        return ord(text[0]) - 64, int(text[1:])


class DisposeForm(BoundedInputMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
    consumed = forms.BooleanField(label=_("Used up (consumed) rather than discarded"), required=False)


class FreezerForm(BoundedInputMixin, forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=None)
    name = forms.CharField(label=_("Freezer"), max_length=80)
    temperature_c = forms.IntegerField(label=_("Temperature (°C)"), min_value=-200, max_value=40, initial=-80)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class RackForm(BoundedInputMixin, forms.Form):
    name = forms.CharField(label=_("Shelf or rack"), max_length=80)


class BoxForm(BoundedInputMixin, forms.Form):
    rack = forms.ModelChoiceField(label=_("Shelf or rack"), queryset=None)
    name = forms.CharField(label=_("Box"), max_length=80)
    rows = forms.IntegerField(label=_("Rows"), min_value=1, max_value=Box.MAX_SIDE, initial=9)
    cols = forms.IntegerField(label=_("Columns"), min_value=1, max_value=Box.MAX_SIDE, initial=9)

    def __init__(self, *args, racks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rack"].queryset = racks
