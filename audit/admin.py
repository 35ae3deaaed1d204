import json

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from .blinding import MASK
from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only, and for superusers only: nobody may add, change or delete an audit event here.

    The admin applies no study, site or blinding scope, so a staff user's view permission is not enough, and
    the values of an event's sensitive fields (arms, the hash of an allocation list) are masked for every
    reader: the trail pages show them to the roles that may see them.
    """

    list_display = ["at", "study", "site", "participant", "object_type", "object_id", "action", "user", "path"]
    list_filter = ["action", "path", "study"]
    search_fields = ["object_type", "object_id", "object_label", "user__username", "request_id"]
    date_hierarchy = "at"
    actions = None
    exclude = ["changes"]
    readonly_fields = ["masked_changes"]

    @admin.display(description=_("changes"))
    def masked_changes(self, event: AuditEvent) -> str:
        hidden = set(event.sensitive_fields)
        shown = {name: [str(MASK), str(MASK)] if name in hidden else values for name, values in event.changes.items()}
        return json.dumps(shown, ensure_ascii=False)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)
