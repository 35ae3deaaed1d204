from django.contrib import admin

from .models import ProtocolVersion


@admin.register(ProtocolVersion)
class ProtocolVersionAdmin(admin.ModelAdmin):
    """Read-only: a loaded version is a record; new versions come only through the upload.

    The file text shown here is the protocol itself (arms, anchors, visits, activities, criteria): no other
    admin page lists them, because no table copies them.
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
