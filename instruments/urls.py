from django.contrib.auth.decorators import login_required
from django.urls import path

from . import api, views

app_name = "instruments"

urlpatterns = [
    path(
        "participant/<int:participant_id>/visit/<slug:visit_code>/<slug:activity_key>/",
        views.response_edit,
        name="response-edit",
    ),
    path("import/<slug:study_code>/", views.response_import, name="response-import"),
    path("library/", views.instrument_list, name="instrument-list"),
    path("library/<slug:instrument_code>/<str:instrument_version>/", views.instrument_detail, name="instrument-detail"),
    path(
        "library/<slug:instrument_code>/<str:instrument_version>/redcap.csv",
        views.instrument_data_dictionary,
        name="instrument-datadictionary",
    ),
    path("redcap/", views.data_dictionary_upload, name="datadictionary-upload"),
    # DRF marks its views login_required=False; the product asks for a log-in everywhere, API included.
    path("api/responses/", login_required(api.ResponseListView.as_view()), name="api-response-list"),
    path(
        "api/responses/<int:response_id>/", login_required(api.ResponseDetailView.as_view()), name="api-response-detail"
    ),
]
