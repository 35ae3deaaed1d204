from django.contrib.auth.decorators import login_required
from django.urls import path

from . import api, views

app_name = "imaging"

urlpatterns = [
    path("<slug:study_code>/upload/", views.datafile_upload, name="datafile-upload"),
    path("<slug:study_code>/jobs/", views.job_list, name="job-list"),
    path("<slug:study_code>/jobs/rows/", views.job_rows, name="job-rows"),
    path("<slug:study_code>/needs-linking/", views.datafile_queue, name="datafile-queue"),
    path("jobs/<int:job_id>/", views.job_detail, name="job-detail"),
    path("jobs/<int:job_id>/retry/", views.job_retry_view, name="job-retry"),
    path("files/<int:datafile_id>/", views.datafile_detail, name="datafile-detail"),
    path("files/<int:datafile_id>/link/", views.datafile_link_view, name="datafile-link"),
    path("series/<int:series_id>/preview.png", views.series_preview, name="series-preview"),
    path("<slug:study_code>/exports/bids/", views.export_list, name="export-list"),
    path("exports/<int:export_id>/download/", views.export_download_view, name="export-download"),
    path("<slug:study_code>/measures.csv", views.measure_export_view, name="measure-export"),
    # DRF marks its views login_required=False; the product asks for a log-in everywhere, API included.
    path("api/measures/", login_required(api.MeasureListView.as_view()), name="api-measure-list"),
    path("exports/<int:export_id>/delete/", views.export_delete_view, name="export-delete"),
]
