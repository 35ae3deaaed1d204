from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("participants/<int:participant_id>/", views.participant_events, name="participant-events"),
    path("studies/<slug:study_code>/", views.study_events, name="study-events"),
    path("studies/<slug:study_code>/users/<int:user_id>/", views.user_events, name="user-events"),
    path("objects/<str:object_type>/<str:object_id>/", views.object_events, name="object-events"),
]
