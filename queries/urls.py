from django.urls import path

from . import views

app_name = "queries"

urlpatterns = [
    path("studies/<slug:study_code>/", views.query_list, name="query-list"),
    path("<int:query_id>/", views.query_detail, name="query-detail"),
    path("participant/<int:participant_id>/", views.participant_queries, name="participant-queries"),
    path(
        "participant/<int:participant_id>/visit/<slug:visit_code>/<slug:activity_key>/raise/",
        views.query_raise,
        name="query-raise",
    ),
]
