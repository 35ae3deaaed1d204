from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import ProtocolVersion


@admin.register(ProtocolVersion)
class ProtocolVersionAdmin(ReadOnlyAdmin):
    """Read-only: a loaded version is a record; new versions come only through the upload.

    The file text shown here is the protocol itself (arms, anchors, visits, activities, criteria): no other
    admin page lists them, because no table copies them. The Study admin, with its protocol upload, is in
    workflows/admin.py.
    """

    list_display = ["study", "version", "version_date", "filename", "is_current", "loaded_at", "loaded_by"]
    list_filter = ["study", "is_current"]
    readonly_fields = [
        "study",
        "version",
        "version_date",
        "filename",
        "checksum",
        "changes",
        "is_current",
        "loaded_at",
        "loaded_by",
        "text",
    ]
