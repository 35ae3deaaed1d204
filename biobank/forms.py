"""Forms of the biobank pages. Every bound is explicit, so a wrong number is a field error, never a 500."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.i18n import text_for
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


class CheckForm(BoundedInputMixin, forms.Form):
    action = forms.ChoiceField(choices=[("out", _("Check out")), ("in", _("Check in"))])


class PlaceAllForm(BoundedInputMixin, forms.Form):
    box = forms.ModelChoiceField(label=_("Box"), queryset=Box.objects.none())

    def __init__(self, *args, boxes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["box"].queryset = boxes


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


class ConsentUseForm(BoundedInputMixin, forms.Form):
    allows_transfer = forms.BooleanField(label=_("Transfer to other institutions"), required=False)
    allows_genetic = forms.BooleanField(label=_("Genetic analysis"), required=False)
    allows_future_research = forms.BooleanField(label=_("Future research"), required=False)


class ShipmentForm(BoundedInputMixin, forms.Form):
    site = forms.ModelChoiceField(label=_("From site"), queryset=None)
    destination = forms.CharField(label=_("Destination"), max_length=200)
    abroad = forms.BooleanField(label=_("Outside the country (needs an export approval)"), required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class ShipmentAddForm(BoundedInputMixin, forms.Form):
    ids = forms.CharField(
        label=_("Specimen IDs"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
        help_text=_("Scan or type the IDs, one per line or separated by spaces."),
    )

    def labels(self) -> list[str]:
        return list(dict.fromkeys(self.cleaned_data["ids"].split()))[:500]


class ApprovalForm(BoundedInputMixin, forms.Form):
    reference = forms.CharField(label=_("Approval reference"), max_length=100)
    date = forms.DateField(label=_("Approval date"), widget=forms.DateInput(attrs={"type": "date"}))
    scope = forms.CharField(label=_("Scope"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ShipForm(BoundedInputMixin, forms.Form):
    temperature_c = forms.IntegerField(label=_("Temperature (°C)"), min_value=-200, max_value=40)


class ReceiveForm(BoundedInputMixin, forms.Form):
    temperature_c = forms.IntegerField(label=_("Temperature on arrival (°C)"), min_value=-200, max_value=40)
    condition = forms.CharField(label=_("Condition on arrival"), required=False, max_length=2000)


class ReleaseForm(BoundedInputMixin, forms.Form):
    lot = forms.CharField(label=_("Lot"), max_length=64)
    passage = forms.IntegerField(label=_("Passage"), required=False, min_value=0, max_value=100)
    cells_per_ml = forms.FloatField(label=_("Cells per mL"), required=False, min_value=0, max_value=1e12)

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in criteria:
            unit = f" ({criterion.unit})" if criterion.unit else ""
            self.fields[f"result_{criterion.code}"] = forms.CharField(
                label=f"{text_for(criterion.label)}{unit}", required=False, max_length=64
            )

    def results(self) -> dict[str, str]:
        prefix = "result_"
        return {k[len(prefix) :]: v for k, v in self.cleaned_data.items() if k.startswith(prefix)}


class DispenseForm(BoundedInputMixin, forms.Form):
    visit = forms.ModelChoiceField(label=_("Visit"), queryset=None)
    transport_temperature_c = forms.IntegerField(label=_("Transport temperature (°C)"), min_value=-200, max_value=40)

    def __init__(self, *args, visits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visit"].queryset = visits


class AssayImportForm(forms.Form):
    file = forms.FileField(label=_("Results (CSV, UTF-8)"))

    def text(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
