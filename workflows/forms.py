"""Forms of the workflows pages that are not another app's (the study set-up pages)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class LanguagesForm(forms.Form):
    """The label languages a new study's own definitions must give (its protocol may say it, once it can)."""

    languages = forms.ChoiceField(
        label=_("Label languages of the study's instruments"),
        choices=[("en,zh-Hans", _("English and Chinese")), ("en", _("English only")), ("zh-Hans", _("Chinese only"))],
        initial="en,zh-Hans",
        required=False,  # both, as a study's languages default to
    )
