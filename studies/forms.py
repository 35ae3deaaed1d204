from django import forms
from django.utils.translation import gettext_lazy as _

MAX_PROTOCOL_BYTES = 1024 * 1024


class ProtocolUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Protocol file (YAML)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml"}),
        help_text=_("The whole protocol of one study, in the format of docs/protocol-format.md."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_PROTOCOL_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB; a protocol file is much smaller."))
        try:
            self.cleaned_data["text"] = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from exc
        return upload


class ProtocolConfirmForm(forms.Form):
    """The file an amendment's preview showed, sent back as it was to be loaded (checked again in full)."""

    text = forms.CharField(widget=forms.HiddenInput, max_length=MAX_PROTOCOL_BYTES, strip=False)
    filename = forms.CharField(widget=forms.HiddenInput, max_length=255)
