"""Read-only admin: files and jobs change, and are deleted, only through the imaging services (upload, retry,
link), which audit what they do."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import DataFile, DerivedMeasure, DicomSeries, IngestJob


@admin.register(DataFile)
class DataFileAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "study", "kind", "participant", "visit_code", "link_status", "uploaded_at")
    list_filter = ("study", "kind", "link_status", "out_of_window")
    search_fields = ("original_name", "sha256", "participant__identifier")
    exclude = ("metadata",)


@admin.register(IngestJob)
class IngestJobAdmin(ReadOnlyAdmin):
    list_display = ("pk", "original_name", "study", "status", "attempts", "created_at", "finished_at")
    list_filter = ("study", "status")
    search_fields = ("original_name", "sha256", "task_id")


@admin.register(DicomSeries)
class DicomSeriesAdmin(ReadOnlyAdmin):
    list_display = ("label", "description", "study", "instance_count", "slice_count", "volume_count")
    list_filter = ("study", "label")
    exclude = ("preview_png",)


@admin.register(DerivedMeasure)
class DerivedMeasureAdmin(ReadOnlyAdmin):
    list_display = ("name", "value", "unit", "participant", "visit_code", "is_estimate", "computed_at")
    list_filter = ("is_estimate",)
    search_fields = ("name", "participant__identifier")
