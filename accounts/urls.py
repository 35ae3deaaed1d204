from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("session/keep-alive/", views.session_keep_alive, name="session-keep-alive"),
]
