from django.urls import path

from . import views

app_name = "workflows"

urlpatterns = [
    path("studies/<slug:study_code>/protocol/upload/", views.protocol_upload, name="protocol-upload"),
]
