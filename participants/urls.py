from django.urls import path

from . import views, visit_views

app_name = "participants"

urlpatterns = [
    path("study/<slug:study_code>/", views.participant_list, name="participant-list"),
    path("study/<slug:study_code>/screen/", views.participant_screen, name="participant-screen"),
    path("study/<slug:study_code>/screening-log/", views.participant_screening_log, name="screening-log"),
    path("due/", views.visit_due, name="visit-due"),
    path("<int:participant_id>/", views.participant_detail, name="participant-detail"),
    path("<int:participant_id>/consent/", views.participant_consent, name="participant-consent"),
    path("<int:participant_id>/consent-refused/", views.participant_consent_refuse, name="consent-refuse"),
    path("<int:participant_id>/enrol/", views.participant_enrol, name="participant-enrol"),
    path("<int:participant_id>/arm/", views.participant_assign_arm, name="participant-arm"),
    path("<int:participant_id>/anchor/", views.anchor_set, name="anchor-set"),
    path("<int:participant_id>/visits/<int:visit_id>/", visit_views.visit_detail, name="visit-detail"),
    path("<int:participant_id>/visits/<int:visit_id>/done/", visit_views.visit_done, name="visit-done"),
    path("<int:participant_id>/visits/<int:visit_id>/missed/", visit_views.visit_missed, name="visit-missed"),
    path("<int:participant_id>/visits/<int:visit_id>/reopen/", visit_views.visit_reopen, name="visit-reopen"),
    path("<int:participant_id>/withdraw/", views.participant_withdraw, name="participant-withdraw"),
    path("<int:participant_id>/criterion-review/", views.criterion_event_review, name="criterion-review"),
]
