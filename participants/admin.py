"""Read-only: participants, screening, consent and anchor dates change only through participants.services
(the participant pages and the commands), which check the rules and the locks and audit every change.

No arm here, for anybody: the admin applies no study scope, so the arm (``arm_code``) and how it was
given (``allocation_source``) are neither shown nor offered as filters; the participant pages show them to
the roles that may see arms (accounts.capabilities.can_see_arms). Identifying data (PersonalIdentifiers)
is deliberately not registered here.
"""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import AnchorDate, Consent, Participant, Screening, Visit


class VisitInline(ReadOnlyInline, admin.TabularInline):
    model = Visit
    extra = 0
    fields = readonly_fields = [
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


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ["identifier", "screening_number", "study", "site", "status", "enrolled_on"]
    list_filter = ["study", "site", "status"]
    search_fields = ["identifier", "screening_number"]
    fields = [
        "study",
        "site",
        "identifier",
        "screening_number",
        "status",
        "enrolled_on",
        "allocated_at",
        "withdrawn_on",
        "withdrawal_reason",
    ]
    inlines = [VisitInline]


@admin.register(Screening)
class ScreeningAdmin(ReadOnlyAdmin):
    list_display = ["participant", "screened_on"]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["participant", "form_version", "consented_on"]


@admin.register(AnchorDate)
class AnchorDateAdmin(ReadOnlyAdmin):
    list_display = ["participant", "anchor_code", "date"]
