"""Forms of the surveys pages: the coordinator's new link, the page timer a survey page posts."""

from __future__ import annotations

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


class PageMetaForm(BoundedInputMixin, forms.Form):
    """What a survey page posts beside the answers: the seconds it was open (kept as the page's timing)."""

    seconds = forms.IntegerField(min_value=0, max_value=86400, required=False)
    action = forms.ChoiceField(choices=[("next", "next"), ("back", "back"), ("pause", "pause")], required=False)
