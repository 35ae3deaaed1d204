from django.urls import path

from . import views

app_name = "randomisation"

urlpatterns = [
    path("study/<slug:study_code>/lists/", views.allocation_list_index, name="list-index"),
    path("list/<int:allocation_list_id>/", views.allocation_list_detail, name="list-detail"),
    path("list/<int:allocation_list_id>/csv/", views.allocation_list_csv, name="list-csv"),
    path("list/<int:allocation_list_id>/freeze/", views.allocation_list_freeze, name="list-freeze"),
    path("participant/<int:participant_id>/", views.participant_randomise, name="participant-randomise"),
    path("participant/<int:participant_id>/unblind/", views.participant_unblind, name="participant-unblind"),
    path("study/<slug:study_code>/unblindings/", views.unblinding_report, name="unblinding-report"),
    path("study/<slug:study_code>/unblindings/csv/", views.unblinding_report_csv, name="unblinding-csv"),
    path("study/<slug:study_code>/notifications/", views.unblinding_notifications, name="notification-list"),
]
