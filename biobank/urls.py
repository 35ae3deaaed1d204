from django.urls import path

from . import views

app_name = "biobank"

urlpatterns = [
    path("participants/<int:participant_id>/", views.participant_specimens, name="participant-specimens"),
    path("participants/<int:participant_id>/collect/", views.specimen_collect, name="specimen-collect"),
    path(
        "participants/<int:participant_id>/not-collected/", views.specimen_not_collected, name="specimen-not-collected"
    ),
    path("specimens/<int:specimen_id>/", views.specimen_detail, name="specimen-detail"),
    path("specimens/<int:specimen_id>/aliquot/", views.specimen_aliquot, name="specimen-aliquot"),
    path("specimens/<int:specimen_id>/place/", views.specimen_place, name="specimen-place"),
    path("specimens/<int:specimen_id>/dispose/", views.specimen_dispose, name="specimen-dispose"),
    path("<slug:study_code>/storage/", views.storage_list, name="storage-list"),
    path("<slug:study_code>/find/", views.specimen_find, name="specimen-find"),
    path("freezers/<int:freezer_id>/", views.freezer_detail, name="freezer-detail"),
]
