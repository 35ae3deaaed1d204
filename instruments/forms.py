"""Forms of the instruments pages.

A CRF's answers are not a Django form: the definition says what each item is, ``clean_responses``
(called by ``response_submit``) is the one validator, and ``crf_items`` turns a definition plus what was
typed plus the errors into what the template renders. The fixed parts of a CRF (lock version, reason,
which button) and the upload pages are ordinary forms.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.i18n import text_for
from core.inputs import BoundedInputMixin

from .definitions import Instrument, Item, ScoreSpec
from .definitions.reasons import score_reasons
from .importing import read_upload

# Integer scales with at most this many points are radio buttons (NRS 0-10); longer ones a number input.
MAX_SCALE_RADIOS = 11


def as_raw(value: Any) -> str | list[str]:
    """A stored typed value as the text an input shows."""
    if value is None:
        return ""
    if isinstance(value, list):
        return [str(one) for one in value]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def raw_from_values(values: dict[str, Any]) -> dict[str, Any]:
    return {code: as_raw(value) for code, value in (values or {}).items()}


def raw_from_post(instrument: Instrument, data) -> dict[str, Any]:
    """The submitted answers: a list for multiple choice, text otherwise; nothing else of the POST."""
    raw: dict[str, Any] = {}
    for item in instrument.items:
        if not item.entered:
            continue
        raw[item.code] = data.getlist(item.code) if item.type == "multiple_choice" else data.get(item.code, "")
    return raw


def _choices(item: Item, typed: Any) -> list[dict[str, Any]]:
    chosen = set(typed) if isinstance(typed, list) else {typed}
    return [
        {"value": str(option.code), "label": text_for(option.label), "checked": str(option.code) in chosen}
        for option in item.options
    ]


def _widget(item: Item) -> str:
    if item.type == "integer_scale" and item.min is not None and item.max is not None:
        return "scale" if item.max - item.min + 1 <= MAX_SCALE_RADIOS else "number"
    return {
        "single_choice": "radio",
        "multiple_choice": "checkbox",
        "yes_no": "radio",
        "number": "number",
        "integer_scale": "number",
        "date": "date",
        "time": "time",
        "partial_date": "text",
        "duration": "text",
        "text": "textarea" if item.multiline else "text",
        "calculated": "calculated",
    }[item.type]


def _options(item: Item, widget: str, typed: Any) -> list[dict[str, Any]]:
    if item.type == "yes_no":
        yes_no = [{"value": "1", "label": str(_("Yes"))}, {"value": "0", "label": str(_("No"))}]
        return [dict(option, checked=option["value"] == typed) for option in yes_no]
    if widget == "scale":
        return [
            {"value": str(n), "label": str(n), "checked": str(n) == typed}
            for n in range(int(item.min), int(item.max) + 1)
        ]
    return _choices(item, typed)


def _step(item: Item) -> str:
    if item.type == "integer_scale" or item.decimals == 0:
        return "1"
    return "any" if item.decimals is None else f"{10**-item.decimals:.{item.decimals}f}"


def _number_text(number: float | None) -> str:
    return "" if number is None else as_raw(float(number))


def crf_item(item: Item, index: int, raw: dict[str, Any], errors: dict[str, dict[str, str]]) -> dict[str, Any]:
    widget = _widget(item)
    typed = raw.get(item.code, [] if item.type == "multiple_choice" else "")
    field = {
        "code": item.code,
        "type": item.type,
        "index": index,
        "widget": widget,
        "label": text_for(item.label),
        "help": text_for(item.help),
        "required": item.required,
        "value": typed,
        "unit": item.unit or "",
        "error": text_for(errors.get(item.code)),
        "min": _number_text(item.min),
        "max": _number_text(item.max),
        "step": _step(item),
        "max_length": item.max_length,
        "show_if": json.dumps(item.show_if.to_dict(), ensure_ascii=False) if item.show_if else "",
        "anchor_min": text_for(item.anchors.get("min")),
        "anchor_max": text_for(item.anchors.get("max")),
        "formula_note": text_for(item.formula_note),
    }
    if widget in ("radio", "checkbox", "scale"):
        field["options"] = _options(item, widget, typed)
    return field


def answer_text(item: Item, typed: Any) -> str:
    """One answer as a reader sees it: the options' labels for a choice, the text otherwise, a dash when empty."""
    widget = _widget(item)
    if widget in ("radio", "checkbox", "scale"):
        chosen = [option["label"] for option in _options(item, widget, typed) if option["checked"]]
        return ", ".join(chosen) or "—"
    return ", ".join(typed) if isinstance(typed, list) else (typed or "—")


def crf_items(
    instrument: Instrument, raw: dict[str, Any], errors: dict[str, dict[str, str]], scores: dict[str, Any] | None = None
) -> list[dict]:
    """What the template renders for each item, with the section title before a section's first item.

    ``scores`` are the stored response's: a calculated item shows its computed value where it sits.
    """
    starts = {section.items[0]: text_for(section.title) for section in instrument.sections if section.items}
    fields = []
    for index, item in enumerate(instrument.items):
        field = crf_item(item, index, raw, errors)
        field["section"] = starts.get(item.code, "")
        if not item.entered:
            field["computed"] = score_text((scores or {}).get(item.code)) if scores and item.code in scores else ""
        fields.append(field)
    return fields


def score_text(value: Any) -> str:
    """A score as shown: at most two decimals, band codes in words."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value).replace("_", " ")


def score_rows(
    instrument: Instrument, scores: dict[str, Any], values: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Each stored score with its label and shown value; with the response's ``values``, a blank score also says
    why (``why``: the answers it needs, instruments.definitions.reasons)."""
    reasons = score_reasons(instrument, values, scores or {}) if values is not None else {}
    specs: dict[str, Any] = {spec.name: spec for spec in instrument.scores}
    specs |= {item.code: item for item in instrument.items if not item.entered}  # a calculated item by its label

    def shown(name: str, value: Any) -> str:
        spec = specs.get(name)
        band = spec.band_label(value) if isinstance(spec, ScoreSpec) and isinstance(value, str) else None
        return text_for(band) if band else score_text(value)

    return [
        {
            "name": name,
            "label": text_for(specs[name].label) if name in specs else name,
            "value": shown(name, value),
            "why": text_for(reasons.get(name)),
        }
        for name, value in (scores or {}).items()
    ]


class ResponseMetaForm(BoundedInputMixin, forms.Form):
    """The parts of a CRF submission that are not answers."""

    lock_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for change"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Confirms the plausibility warnings the last submission raised (workflows/_plausibility.html).
    warning_reason = forms.CharField(label=_("Reason for confirming"), required=False, max_length=500)
    action = forms.ChoiceField(
        choices=[
            ("save", _("Save as in progress")),
            ("complete", _("Mark complete")),
            ("complete_next", _("Complete and go to the next form")),
        ]
    )


class ResponseImportForm(BoundedInputMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: study ID, visit code, activity key, then one column per item code (optionally an "
            '"instance" column for repeating forms). UTF-8.'
        ),
    )
    complete = forms.BooleanField(label=_("Mark the imported forms complete"), required=False, initial=True)
    reason = forms.CharField(
        label=_("Reason for change"),
        required=False,
        max_length=500,
        help_text=_("Required when the file changes forms that are already complete."),
    )


class DataDictionaryUploadForm(BoundedInputMixin, forms.Form):
    file = forms.FileField(label=_("REDCap data dictionary (CSV)"))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe): cleans to a list of uploads."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".yaml,.yml,.csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        clean_one = super().clean
        if isinstance(data, list | tuple) and data:
            return [clean_one(one, initial) for one in data]
        data = None if isinstance(data, list | tuple) else data
        return [clean_one(data, initial)] if data or self.required else []  # none given: "required" when required


class DefinitionFilesForm(forms.Form):
    """A study's own instrument definitions: YAML files and REDCap data dictionaries, one or several."""

    files = MultipleFileField(
        label=_("Instrument definitions (YAML) or REDCap data dictionaries (CSV)"),
        help_text=_("Every file is checked in full first; nothing is stored when any of them has a problem."),
    )

    def __init__(self, *args, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].required = required

    def clean_files(self):
        """(name, text) of each file, or a message naming the file that cannot be read."""
        out = []
        for upload in self.cleaned_data["files"]:
            text, problem = read_upload(upload)
            if problem:
                raise forms.ValidationError(f"{upload.name}: {problem}")
            out.append((upload.name, text))
        return out
