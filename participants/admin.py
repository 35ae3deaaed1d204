from django.contrib import admin

from .models import AnchorDate, Consent, Participant, Screening, Visit


class VisitInline(admin.TabularInline):
    model = Visit
    extra = 0
    readonly_fields = [
        "visit_code",
        "sequence",
        "anchor_code",
        "target_date",
        "window_start",
        "window_end",
        "estimated",
        "completed_on",
        "missed",
        "cancelled",
    ]
    can_delete = False


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    """Read-mostly: changes go through the participant pages (services), not the admin.

    Identifying data (PersonalIdentifiers) is deliberately not registered here.
    """

    list_display = ["identifier", "screening_number", "study", "site", "status", "enrolled_on"]
    list_filter = ["study", "site", "status"]
    search_fields = ["identifier", "screening_number"]
    readonly_fields = [
        "study",
        "site",
        "identifier",
        "screening_number",
        "status",
        "enrolled_on",
        "arm_code",
        "allocation_source",
        "allocated_at",
        "withdrawn_on",
        "withdrawal_reason",
    ]
    inlines = [VisitInline]


admin.site.register([Screening, Consent, AnchorDate])
