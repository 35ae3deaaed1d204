from django.urls import path

from . import views

app_name = "studies"

urlpatterns = [
    path("", views.study_list, name="study-list"),
    path("<slug:study_code>/", views.study_detail, name="study-detail"),
    path("<slug:study_code>/protocol/history/", views.protocol_history, name="protocol-history"),
]
