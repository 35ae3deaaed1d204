"""Read-only: rows are written by safety.services only (they follow the CRF and are audited)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import AdverseEvent, SaeReport, SafetyNotification


@admin.register(AdverseEvent)
class AdverseEventAdmin(ReadOnlyAdmin):
    list_display = ["participant", "term", "grade", "serious", "onset", "aware_at"]


@admin.register(SaeReport)
class SaeReportAdmin(ReadOnlyAdmin):
    list_display = ["adverse_event", "recipient", "due_at", "reported_at"]


@admin.register(SafetyNotification)
class SafetyNotificationAdmin(ReadOnlyAdmin):
    list_display = ["key", "kind", "created_at"]
