from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only, and for superusers only: nobody may add, change or delete an audit event here.

    The admin applies no study, site or blinding scope, so a staff user's view permission is not enough.
    """

    list_display = ["at", "study", "site", "participant", "object_type", "object_id", "action", "user", "path"]
    list_filter = ["action", "path", "study"]
    search_fields = ["object_type", "object_id", "object_label", "user__username", "request_id"]
    date_hierarchy = "at"
    actions = None

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)
