from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("study/<slug:study_code>/", views.study_dashboard, name="study-dashboard"),
    path("participant/<int:participant_id>/", views.casebook_detail, name="casebook-detail"),
    path("participant/<int:participant_id>/lock/", views.participant_lock, name="participant-lock"),
    path("participant/<int:participant_id>/visit/<slug:visit_code>/lock/", views.visit_lock, name="visit-lock"),
    path("participant/<int:participant_id>/signature/", views.casebook_sign, name="casebook-sign"),
    path("response/<int:response_id>/verify/", views.response_verify, name="response-verify"),
    path("response/<int:response_id>/lock/", views.response_lock, name="response-lock"),
    path("lock/<int:lock_id>/unlock/", views.lock_release, name="lock-release"),
]
