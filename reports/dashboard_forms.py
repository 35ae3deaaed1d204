"""The dashboard's and the outcomes page's filters: a bad value is reported beside the filter and ignored."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.inputs import BoundedInputMixin

from .dashboard import Filters


class DashboardFilterForm(BoundedInputMixin, forms.Form):
    site = forms.ChoiceField(label=_("Site"), required=False)
    arm = forms.ChoiceField(label=_("Arm"), required=False)
    visit = forms.ChoiceField(label=_("Visit"), required=False)
    start = forms.DateField(label=_("Enrolled from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Enrolled to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, sites, arms: dict, visits, with_dates: bool = True):
        super().__init__(data)
        self.fields["site"].choices = [("", _("All sites"))] + [(s.code, f"{s.code} · {s}") for s in sites]
        self.fields["visit"].choices = [("", _("All visits"))] + list(visits)
        if arms:  # a blinded role has no arm filter at all
            self.fields["arm"].choices = [("", _("All arms"))] + list(arms.items())
        else:
            del self.fields["arm"]
        if not with_dates:
            del self.fields["start"], self.fields["end"]
        for name, field in self.fields.items():
            field.widget.attrs.update(
                {
                    "class": "form-select form-select-sm"
                    if name in ("site", "arm", "visit")
                    else "form-control form-control-sm"
                }
            )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the date range is before its start."))
        return cleaned

    def filters(self) -> Filters:
        """The valid filters (an invalid one is dropped, and its error shown by the form)."""
        self.is_valid()
        good = self.cleaned_data  # add_error has taken the refused values out
        return Filters(
            site=good.get("site") or "",
            arm=good.get("arm") or "",
            visit=good.get("visit") or "",
            start=good.get("start"),
            end=good.get("end"),
        )
