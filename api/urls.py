from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import pages, views
from .redcap import views as redcap

app_name = "api"


def v1(view):
    # A script has no session: the token authenticates it (DRF answers 401 without one), not the login page.
    return login_not_required(view.as_view())


urlpatterns = [
    path("api/tokens/", pages.my_tokens, name="token-list"),
    path("api/tokens/<int:token_id>/revoke/", pages.token_revoke_view, name="token-revoke"),
    path("api/tokens/study/<slug:study_code>/", pages.study_tokens, name="study-tokens"),
    # The schema and its pages are for signed-in people (DRF views skip Django's login middleware: said here).
    path("api/v1/schema/", login_required(SpectacularAPIView.as_view()), name="schema"),
    # Swagger UI from the sidecar's static files, its start-up script served as a file (the CSP has no inline
    # scripts). No Redoc: its page loads fonts from a CDN.
    path("api/v1/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    path("api/v1/studies/", v1(views.StudyList), name="study-list"),
    path("api/v1/studies/<slug:study_code>/sites/", v1(views.SiteList), name="site-list"),
    path("api/v1/studies/<slug:study_code>/arms/", v1(views.ArmList), name="arm-list"),
    path("api/v1/participants/", v1(views.ParticipantList), name="participant-list"),
    path("api/v1/visits/", v1(views.VisitList), name="visit-list"),
    path("api/v1/responses/", v1(views.ResponseList), name="response-list"),
    path("api/v1/responses/<int:response_id>/", v1(views.ResponseDetail), name="response-detail"),
    path("api/v1/queries/", v1(views.QueryList), name="query-list"),
    path("api/v1/acquisitions/", v1(views.AcquisitionList), name="acquisition-list"),
    path("api/v1/measures/", v1(views.MeasureList), name="measure-list"),
    path("api/v1/specimens/", v1(views.SpecimenList), name="specimen-list"),
    # The REDCap-compatible API (api/redcap/): POST only, authenticated by the token in the body.
    path("redcap/api/", redcap.endpoint, name="redcap"),
    # Last: any other /api/v1/ path (a misspelt list, a negative id) gets the API's JSON 404, not an HTML page.
    re_path(r"^api/v1/", v1(views.NotFound), name="not-found"),
]
