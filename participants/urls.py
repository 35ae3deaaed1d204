from django.urls import path

from . import views

app_name = "participants"

urlpatterns = [
    path("study/<slug:study_code>/", views.participant_list, name="participant-list"),
    path("<int:participant_id>/", views.participant_detail, name="participant-detail"),
]
