from django.contrib import admin

from .models import Query


@admin.register(Query)
class QueryAdmin(admin.ModelAdmin):
    """Read-only: queries change only through queries.services (which audits every change)."""

    list_display = ("pk", "study", "site", "participant", "visit_code", "activity_key", "status", "origin")
    list_filter = ("status", "origin")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
