from django.contrib import admin

from .models import Response, ResponseRevision


class RevisionInline(admin.TabularInline):
    model = ResponseRevision
    extra = 0
    can_delete = False
    readonly_fields = ["lock_version", "status", "source", "reason", "changed_by", "changed_at", "values", "scores"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """Read-only: answers change only through the CRF page, the import or the API (response_submit)."""

    list_display = ["participant", "visit_code", "activity_key", "instance", "status", "source", "updated_at"]
    list_filter = ["status", "source", "instrument_code"]
    search_fields = ["participant__identifier"]
    inlines = [RevisionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
