import json

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from .blinding import changes_masked, event_masked
from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only, and for superusers only: nobody may add, change or delete an audit event here.

    The admin applies no study, site or blinding scope, so a staff user's view permission is not enough. The
    values of sensitive fields (audit.blinding) are masked unless the viewer may see the arms of the event's
    study (an operator who is no member of a blinded study sees them masked), and the change list filters only
    through its own filters (core.admin), never on ``changes``.
    """

    list_display = ["at", "study", "site", "participant", "object_type", "object_id", "action", "user", "path"]
    list_filter = ["action", "path", "study"]
    search_fields = ["object_type", "object_id", "object_label", "user__username", "request_id"]
    date_hierarchy = "at"
    actions = None
    fields = readonly_fields = [
        "at",
        "study",
        "site",
        "participant",
        "object_type",
        "object_id",
        "object_label",
        "action",
        "changes_shown",
        "sensitive_fields",
        "reason",
        "path",
        "user",
        "request_id",
    ]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def get_object(self, request, object_id, from_field=None):
        event = super().get_object(request, object_id, from_field)
        if event is not None:
            event.masked = event_masked(request.user, event)
        return event

    @admin.display(description=_("changes"))
    def changes_shown(self, event):
        changes = changes_masked(event) if getattr(event, "masked", True) else event.changes
        return json.dumps(changes, ensure_ascii=False, sort_keys=True)
