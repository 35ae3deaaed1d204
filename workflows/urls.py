from django.contrib.auth.decorators import login_required
from django.urls import path

from . import api, draft_views, review_views, setup_views, views

app_name = "workflows"

# The paths keep the places users and scripts know (/instruments/..., /studies/...): only the code moved.
urlpatterns = [
    path("studies/<slug:study_code>/protocol/upload/", views.protocol_upload, name="protocol-upload"),
    # Not "studies/new/": studies:study-detail ("studies/<code>/") would take it.
    path("studies/new/protocol/", setup_views.study_new, name="study-new"),
    path("studies/<slug:study_code>/instruments/", setup_views.study_instruments, name="study-instruments"),
    path(
        "instruments/participant/<int:participant_id>/visit/<slug:visit_code>/<slug:activity_key>/",
        views.response_edit,
        name="response-edit",
    ),
    path(
        "instruments/participant/<int:participant_id>/visit/<slug:visit_code>/<slug:activity_key>/draft/",
        draft_views.response_draft_save_view,
        name="response-draft",
    ),
    path(
        "instruments/participant/<int:participant_id>/visit/<slug:visit_code>/<slug:activity_key>/draft/discard/",
        draft_views.response_draft_discard_view,
        name="response-draft-discard",
    ),
    path("instruments/import/<slug:study_code>/", views.response_import, name="response-import"),
    path(
        "instruments/import/<slug:study_code>/jobs/<int:import_job_id>/",
        views.response_import_job,
        name="response-import-job",
    ),
    # Locking and signing behind the review gate (workflows.review), at monitoring's paths.
    path("monitoring/participant/<int:participant_id>/lock/", review_views.participant_lock, name="participant-lock"),
    path(
        "monitoring/participant/<int:participant_id>/visit/<slug:visit_code>/lock/",
        review_views.visit_lock,
        name="visit-lock",
    ),
    path("monitoring/response/<int:response_id>/lock/", review_views.response_lock, name="response-lock"),
    path("monitoring/participant/<int:participant_id>/signature/", review_views.casebook_sign, name="casebook-sign"),
    # DRF marks its views login_required=False; the product asks for a log-in everywhere, API included.
    path("instruments/api/responses/", login_required(api.ResponseListView.as_view()), name="api-response-list"),
    path(
        "instruments/api/responses/<int:response_id>/",
        login_required(api.ResponseDetailView.as_view()),
        name="api-response-detail",
    ),
]
