from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("study/<slug:study_code>/consort/", views.consort_detail, name="consort-detail"),
    path("study/<slug:study_code>/consort.svg", views.consort_svg, name="consort-svg"),
    path("study/<slug:study_code>/consort.csv", views.consort_csv, name="consort-csv"),
    path("study/<slug:study_code>/consort.json", views.consort_json, name="consort-json"),
    path("study/<slug:study_code>/status-grid/", views.status_grid, name="status-grid"),
]
