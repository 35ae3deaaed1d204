"""The export builder's choices: sites (within the user's), visits, instruments, format, identified or not."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.inputs import BoundedInputMixin

from .models import DataExport


class ExportForm(BoundedInputMixin, forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=DataExport.Format.choices, initial=DataExport.Format.CSV_WIDE)
    sites = forms.MultipleChoiceField(
        label=_("Sites"), required=False, widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: all yours.")
    )
    visits = forms.MultipleChoiceField(
        label=_("Visits"), required=False, widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: all.")
    )
    instruments = forms.MultipleChoiceField(
        label=_("Instruments"), required=False, widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: all.")
    )
    identified = forms.BooleanField(
        label=_("Identified: study IDs and real dates (otherwise pseudonyms and shifted dates)"), required=False
    )
    free_text = forms.BooleanField(label=_("Include free-text answers"), required=False)

    def __init__(self, *args, sites, visits, instruments, may_identify: bool, **kwargs):
        super().__init__(*args, **kwargs)
        for name, choices in (("sites", sites), ("visits", visits), ("instruments", instruments)):
            cast(forms.MultipleChoiceField, self.fields[name]).choices = choices
        if not may_identify:  # the role may export de-identified data only
            del self.fields["identified"]


class SaveExportForm(BoundedInputMixin, forms.Form):
    name = forms.CharField(label=_("Save this choice as"), max_length=80, strip=True)


def saved_choices(form: ExportForm) -> dict:
    """A valid builder form's choices as the builder's GET query holds them (lists of codes, "on" for ticks)."""
    data = form.cleaned_data
    choices: dict = {"format": data["format"]}
    choices |= {name: list(data[name]) for name in ("sites", "visits", "instruments") if data[name]}
    choices |= {name: "on" for name in ("identified", "free_text") if data.get(name)}
    return choices
