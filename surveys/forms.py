"""Forms of the surveys pages: the coordinator's new link, the page timer a survey page posts."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from core.inputs import BoundedInputMixin

LANGUAGE_NAMES = {"en": _("English"), "zh": _("Simplified Chinese")}
# Label key -> the Django language code the survey is shown in.
DJANGO_LANGUAGE = {"en": "en", "zh": "zh-hans"}


class LinkCreateForm(BoundedInputMixin, forms.Form):
    language = forms.ChoiceField(label=_("Language of the survey"))
    email = forms.EmailField(label=_("E-mail for reminders"), required=False)
    email_opt_out = forms.BooleanField(label=_("No e-mail reminders"), required=False)
    sms_opt_out = forms.BooleanField(label=_("No SMS reminders"), required=False)

    def __init__(self, *args, languages: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [(key, LANGUAGE_NAMES[key]) for key in languages]
        self.fields["language"].initial = languages[0]


MAX_SECONDS = 86400


class PageMetaForm(BoundedInputMixin, forms.Form):
    """What a survey page posts beside the answers: the seconds it was open, and per item the seconds to its first
    and last answer (``{"code": [first, last]}``, measured by surveys/static/surveys/survey.js)."""

    seconds = forms.IntegerField(min_value=0, max_value=MAX_SECONDS, required=False)
    item_timings = forms.CharField(max_length=20000, required=False, strip=True)

    def clean_item_timings(self) -> dict[str, list[int]]:
        """Well-formed pairs only; anything else is dropped (a timing never stops an answer being saved)."""
        try:
            data = json.loads(self.cleaned_data.get("item_timings") or "{}")
        except ValueError:
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(code)[:60]: pair for code, pair in data.items() if _pair(pair)}


def _pair(value) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_SECONDS for n in value)
    )


class PortalEmailForm(BoundedInputMixin, forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"))


class PortalCodeForm(BoundedInputMixin, forms.Form):
    code = forms.RegexField(label=_("The 6-digit code"), regex=r"^\s*\d{6}\s*$", max_length=12)

    @staticmethod
    def wrong_code_message() -> str:
        return str(_("This code is wrong or has expired. Ask for a new one if needed."))
