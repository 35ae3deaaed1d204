from django.urls import path

from . import portal_views, views

app_name = "surveys"
urlpatterns = [
    # Public: the token is the key (docs/surveys.md).
    path("s/<str:token>/", views.survey_home, name="survey-home"),
    path("s/<str:token>/form/<slug:activity_key>/", views.survey_page, name="survey-page"),
    path("s/<str:token>/diary/<slug:activity_key>/<str:day>/", views.survey_diary, name="survey-diary"),
    path("s/<str:token>/submit/", views.survey_submit, name="survey-submit"),
    # The participant portal (public: a one-time code by e-mail).
    path("portal/", portal_views.portal_start, name="portal-start"),
    path("portal/code/", portal_views.portal_code, name="portal-code"),
    path("portal/home/", portal_views.portal_home, name="portal-home"),
    path("portal/visit/<int:visit_id>/open/", portal_views.portal_visit_open, name="portal-visit-open"),
    path("portal/sign-out/", portal_views.portal_sign_out, name="portal-sign-out"),
    # Coordinators.
    path(
        "surveys/participant/<int:participant_id>/visit/<int:visit_id>/links/",
        views.link_list,
        name="link-list",
    ),
    path("surveys/link/<int:survey_link_id>/revoke/", views.link_revoke, name="link-revoke"),
]
