from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.capabilities import can_see_arms
from core.admin import ReadOnlyAdmin

from .models import ProtocolVersion

HIDDEN = _("Not shown: this study is blinded and your role in it may not see arms.")


@admin.register(ProtocolVersion)
class ProtocolVersionAdmin(ReadOnlyAdmin):
    """Read-only: a loaded version is a record; new versions come only through the upload.

    The file text is the protocol itself (arms, anchors, visits, activities, criteria), and its changes name
    arms too: both are shown only to a viewer who may see the arms of that study (can_see_arms; an operator
    who is no member of a blinded study sees neither). The Study admin, with its protocol upload, is in
    workflows/admin.py.
    """

    list_display = ["study", "version", "version_date", "filename", "is_current", "loaded_at", "loaded_by"]
    list_filter = ["study", "is_current"]
    fields = readonly_fields = [
        "study",
        "version",
        "version_date",
        "filename",
        "checksum",
        "changes_shown",
        "is_current",
        "loaded_at",
        "loaded_by",
        "text_shown",
    ]

    def get_object(self, request, object_id, from_field=None):
        version = super().get_object(request, object_id, from_field)
        if version is not None:
            version.arms_hidden = not can_see_arms(request.user, version.study)
        return version

    @admin.display(description=_("changes"))
    def changes_shown(self, version):
        return HIDDEN if getattr(version, "arms_hidden", True) else version.changes

    @admin.display(description=_("protocol file"))
    def text_shown(self, version):
        return HIDDEN if getattr(version, "arms_hidden", True) else version.text
