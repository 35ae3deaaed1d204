from django.urls import path

from . import views

app_name = "instruments"

urlpatterns = [
    path("library/", views.instrument_list, name="instrument-list"),
    path("library/<slug:instrument_code>/<str:instrument_version>/", views.instrument_detail, name="instrument-detail"),
    path(
        "library/<slug:instrument_code>/<str:instrument_version>/redcap.csv",
        views.instrument_data_dictionary,
        name="instrument-datadictionary",
    ),
    path("redcap/", views.data_dictionary_upload, name="datadictionary-upload"),
]
