from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from core.inputs import BoundedInputMixin

from .readable import type_name


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(BoundedInputMixin, forms.Form):
    """Filters of an audit trail (a GET form): an invalid filter shows its error and is not applied."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)
    action = forms.ChoiceField(label=_("Action"), required=False)
    user = forms.TypedChoiceField(label=_("User"), required=False, coerce=int, empty_value=None)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    path = forms.ChoiceField(label=_("Path"), required=False)

    def __init__(self, data=None, *, users=(), object_types=(), hide=()):
        super().__init__(data)
        self.fields["action"].choices = [("", _("Any action")), *AuditEvent.Action.choices]
        self.fields["path"].choices = [("", _("Any path")), *AuditEvent.Path.choices]
        self.fields["user"].choices = [("", _("Anyone")), *((str(u.pk), u.username) for u in users)]
        self.fields["object_type"].choices = [("", _("Any type")), *((t, type_name(t)) for t in object_types)]
        for name in hide:
            del self.fields[name]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> dict:
        """The valid filters, as keyword arguments of selectors.event_filter."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        names = ("date_from", "date_to", "action", "object_type", "path")
        filters = {name: data[name] for name in names if data.get(name)}
        if data.get("user"):
            filters["user_id"] = data["user"]
        return filters
