from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("<str:study_code>/", views.export_builder, name="export-builder"),
    path("<str:study_code>/save/", views.saved_export_save_view, name="saved-export-save"),
    path("job/<int:data_export_id>/", views.export_detail, name="export-detail"),
    path("job/<int:data_export_id>/download/", views.export_download_view, name="export-download"),
    path("job/<int:data_export_id>/cancel/", views.export_cancel_view, name="export-cancel"),
]
