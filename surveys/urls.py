from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    # Public: the token is the key (docs/surveys.md).
    path("s/<str:token>/", views.survey_home, name="survey-home"),
    path("s/<str:token>/form/<slug:activity_key>/", views.survey_page, name="survey-page"),
    path("s/<str:token>/diary/<slug:activity_key>/<str:day>/", views.survey_diary, name="survey-diary"),
    path("s/<str:token>/submit/", views.survey_submit, name="survey-submit"),
    # Coordinators.
    path(
        "surveys/participant/<int:participant_id>/visit/<int:visit_id>/links/",
        views.link_list,
        name="link-list",
    ),
    path("surveys/link/<int:survey_link_id>/revoke/", views.link_revoke, name="link-revoke"),
]
