"""Upload and link forms. Choices come from querysets scoped to the user; validation only, no domain effects."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.inputs import BoundedInputMixin
from core.validation import INT32_MAX
from participants.models import Visit
from participants.selectors import participants_for_user

from .models import Kind


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data] or single(None, initial)
        return [single(data, initial)]


def _visit_label(visit: Visit) -> str:
    return f"{visit} ({visit.window_start:%Y-%m-%d} – {visit.window_end:%Y-%m-%d})"


class TargetForm(BoundedInputMixin, forms.Form):
    """Participant and visit, from what the user may see in ``study``; the visit choices follow the participant."""

    participant = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Participant"), empty_label=_("Link from the patient ID in the file")
    )
    visit = forms.ModelChoiceField(queryset=None, required=False, label=_("Visit"))

    def __init__(self, *args, user, study, refresh_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        participants = participants_for_user(user).filter(study=study).order_by("identifier")
        self.fields["participant"].queryset = participants
        chosen = self.data.get(self.add_prefix("participant")) or self.initial.get("participant")
        visits = Visit.objects.filter(participant__in=participants, participant_id=_as_id(chosen))
        self.fields["visit"].queryset = visits.select_related("participant").order_by("target_date", "sequence")
        self.fields["visit"].label_from_instance = _visit_label
        self.fields["participant"].widget.attrs.update(
            {"hx-get": refresh_url, "hx-target": "#visit-field", "hx-select": "#visit-field", "hx-swap": "outerHTML"}
        )

    def clean(self):
        data = super().clean()
        participant, visit = data.get("participant"), data.get("visit")
        if participant and not visit and "visit" not in self.errors:
            self.add_error("visit", _("Choose the visit of this recording, or leave the participant empty."))
        if visit and not participant:
            self.add_error("participant", _("Choose the participant of this visit."))
        return data


def _as_id(value):
    value = getattr(value, "pk", value)
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= INT32_MAX else None  # a posted 10**30 must not reach the database


class UploadForm(TargetForm):
    files = MultipleFileField(
        label=_("Files"),
        help_text=_("DICOM files, EDF/EDF+ recordings, or zip archives of them. Each file becomes its own job."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Detect from the file"))] + list(Kind.choices)
    )

    field_order = ["files", "kind", "participant", "visit"]


class LinkForm(TargetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].required = True
        self.fields["participant"].empty_label = "—"
        self.fields["visit"].required = True
