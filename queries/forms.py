"""Forms of the query pages: validation only, no domain logic."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.inputs import BoundedInputMixin

from .models import Query

ACTION_LABELS = {"answer": _("Answer"), "close": _("Close"), "reopen": _("Reopen")}
TEXT_NEEDED = {
    "answer": _("Write a message to answer the query."),
    "reopen": _("Write a message saying why the query is reopened."),
}


class QueryRaiseForm(BoundedInputMixin, forms.Form):
    item_code = forms.ChoiceField(label=_("Field"), required=False)
    text = forms.CharField(
        label=_("Query"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("Say what looks wrong and what the site should check."),
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_code"].choices = [("", _("The whole form"))] + list(items)

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Write the query."))
        return text


class QueryActionForm(BoundedInputMixin, forms.Form):
    action = forms.ChoiceField(choices=list(ACTION_LABELS.items()), widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = allowed

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action and action not in self.allowed:
            raise forms.ValidationError(_("This action is not possible on this query now."))
        if action in TEXT_NEEDED and not (data.get("text") or "").strip():
            self.add_error("text", TEXT_NEEDED[action])
        return data


class QueryFilterForm(BoundedInputMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    site = forms.ChoiceField(label=_("Site"), required=False)
    origin = forms.ChoiceField(
        label=_("Origin"), required=False, choices=[("", _("Any origin"))] + list(Query.Origin.choices)
    )
    participant = forms.CharField(label=_("Participant"), required=False, max_length=40)

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), ("unresolved", _("Not closed"))] + list(
            Query.Status.choices
        )
        self.fields["site"].choices = [("", _("Any site"))] + [(site.code, str(site)) for site in sites]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "status": data["status"],
            "site_code": data["site"],
            "origin": data["origin"],
            "participant": data["participant"],
        }
