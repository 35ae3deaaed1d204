from django.urls import path

from . import dashboard_views, views

app_name = "reports"

urlpatterns = [
    path("study/<slug:study_code>/consort/", views.consort_detail, name="consort-detail"),
    path("study/<slug:study_code>/consort.svg", views.consort_svg, name="consort-svg"),
    path("study/<slug:study_code>/consort.csv", views.consort_csv, name="consort-csv"),
    path("study/<slug:study_code>/consort.json", views.consort_json, name="consort-json"),
    path("study/<slug:study_code>/status-grid/", views.status_grid, name="status-grid"),
    path("study/<slug:study_code>/dashboard/", dashboard_views.study_dashboard, name="study-dashboard"),
    path("study/<slug:study_code>/dashboard.csv", dashboard_views.study_dashboard_csv, name="study-dashboard-csv"),
    path("study/<slug:study_code>/outcomes/", dashboard_views.study_outcomes, name="study-outcomes"),
    path("study/<slug:study_code>/outcomes.csv", dashboard_views.study_outcomes_csv, name="study-outcomes-csv"),
    path(
        "participant/<int:participant_id>/timeline/", dashboard_views.participant_timeline, name="participant-timeline"
    ),
    path(
        "participant/<int:participant_id>/mechanism/",
        dashboard_views.participant_mechanism,
        name="participant-mechanism",
    ),
]
