from django.contrib import admin

from .models import Site, Study


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "design", "blinding", "target_enrolment", "is_active"]
    inlines = [SiteInline]
