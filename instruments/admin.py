from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Response, ResponseRevision, StudyInstrument


class RevisionInline(ReadOnlyInline, admin.TabularInline):
    model = ResponseRevision
    extra = 0
    readonly_fields = ["lock_version", "status", "source", "reason", "changed_by", "changed_at", "values", "scores"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    """Read-only: answers change only through the CRF page, the import or the API (response_submit)."""

    list_display = ["participant", "visit_code", "activity_key", "instance", "status", "source", "updated_at"]
    list_filter = ["status", "source", "instrument_code"]
    search_fields = ["participant__identifier"]
    inlines = [RevisionInline]


@admin.register(StudyInstrument)
class StudyInstrumentAdmin(ReadOnlyAdmin):
    """Read-only: study definitions are immutable, loaded by the study's instruments page or load_instruments."""

    list_display = ["study_code", "code", "version", "uploaded_by", "uploaded_at"]
    list_filter = ["study_code"]
    search_fields = ["code"]
