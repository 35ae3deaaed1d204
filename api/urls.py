from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from . import pages, views

app_name = "api"

urlpatterns = [
    path("api/tokens/", pages.my_tokens, name="token-list"),
    path("api/tokens/<int:token_id>/revoke/", pages.token_revoke_view, name="token-revoke"),
    path("api/tokens/study/<slug:code>/", pages.study_tokens, name="study-tokens"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("api/v1/redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("api/v1/studies/", views.StudyList.as_view(), name="study-list"),
    path("api/v1/studies/<slug:code>/sites/", views.SiteList.as_view(), name="site-list"),
    path("api/v1/studies/<slug:code>/arms/", views.ArmList.as_view(), name="arm-list"),
    path("api/v1/participants/", views.ParticipantList.as_view(), name="participant-list"),
    path("api/v1/visits/", views.VisitList.as_view(), name="visit-list"),
    path("api/v1/responses/", views.ResponseList.as_view(), name="response-list"),
    path("api/v1/responses/<int:response_id>/", views.ResponseDetail.as_view(), name="response-detail"),
    path("api/v1/queries/", views.QueryList.as_view(), name="query-list"),
    path("api/v1/acquisitions/", views.AcquisitionList.as_view(), name="acquisition-list"),
    path("api/v1/measures/", views.MeasureList.as_view(), name="measure-list"),
]
