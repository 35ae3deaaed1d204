from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("study/<slug:study_code>/", views.study_dashboard, name="study-dashboard"),
    path("participant/<int:participant_id>/", views.casebook_detail, name="casebook-detail"),
    path("participant/<int:participant_id>/verify/", views.responses_verify, name="responses-verify"),
    path("participant/<int:participant_id>/visit/<slug:visit_code>/verify/", views.visit_verify, name="visit-verify"),
    path("response/<int:response_id>/verify/", views.response_verify, name="response-verify"),
    # Locking and the signature are workflows:participant-lock, visit-lock, response-lock and casebook-sign, at
    # /monitoring/... too (workflows.review_views: the review gate reads queries, on monitoring's floor).
    path("lock/<int:lock_id>/unlock/", views.lock_release, name="lock-release"),
]
