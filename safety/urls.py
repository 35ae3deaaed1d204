from django.urls import path

from . import views

app_name = "safety"

urlpatterns = [
    path("participant/<int:participant_id>/", views.adverse_event_list, name="adverseevent-list"),
    path("study/<slug:study_code>/", views.study_overview, name="study-overview"),
    path("study/<slug:study_code>/dsmb.csv", views.dsmb_listing, name="dsmb-listing"),
    path("event/<int:adverse_event_id>/sae/", views.sae_report, name="saereport-edit"),
]
