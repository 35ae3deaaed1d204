from django.contrib import admin

from .models import AdverseEvent, SaeReport, SafetyNotification


class ReadOnly(admin.ModelAdmin):
    """Rows are written by safety.services only (they follow the CRF and are audited)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AdverseEvent)
class AdverseEventAdmin(ReadOnly):
    list_display = ["participant", "term", "grade", "serious", "onset", "aware_at"]


@admin.register(SaeReport)
class SaeReportAdmin(ReadOnly):
    list_display = ["adverse_event", "recipient", "due_at", "reported_at"]


@admin.register(SafetyNotification)
class SafetyNotificationAdmin(ReadOnly):
    list_display = ["key", "kind", "created_at"]
