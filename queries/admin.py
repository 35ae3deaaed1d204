from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Query


@admin.register(Query)
class QueryAdmin(ReadOnlyAdmin):
    """Read-only: queries change only through queries.services (which audits every change)."""

    list_display = ("pk", "study", "site", "participant", "visit_code", "activity_key", "status", "origin")
    list_filter = ("status", "origin")
