"""REST API v1 (/api/v1/): read lists of what the caller may see, scoped by the same selectors and access
functions as the pages, narrowed to the token's study (api.access); responses are written through
workflows.api (response_submit: scores, locks, lock_version, reason, audit path "api")."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound as NotFoundError
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView, exception_handler

from accounts.capabilities import Action, can_see_arms, roles_with
from accounts.models import Membership
from biobank.selectors import specimens_for_user
from core.pagination import ApiPagination
from core.parsers import BoundedJSONParser
from imaging.api import MeasureListView, MeasurePagination
from imaging.selectors import datafiles_for_user
from participants.access import participant_for_user, response_for_user
from participants.models import Visit
from participants.selectors import participants_for_user, responses_for_user
from queries.selectors import queries_for_user
from randomisation.selectors import arm_names
from studies.access import study_for_user
from studies.selectors import sites_for_user, studies_for_user
from workflows import api as responses_api

from .access import in_token_study, require_token_study
from .authentication import TokenAuthentication
from .filters import DeclaredFilters, checked_filters
from .serializers import (
    AcquisitionSerializer,
    ArmSerializer,
    MeasureSerializer,
    ParticipantSerializer,
    QuerySerializer,
    SiteSerializer,
    SpecimenSerializer,
    StudySerializer,
    VisitSerializer,
)
from .throttling import TokenRateThrottle


def error_body(exc, context):
    """Every error of /api/v1/ as ``{"errors": {...}}`` (the shape workflows.api already answers with)."""
    response = exception_handler(exc, context)
    if response is not None and not (isinstance(response.data, dict) and set(response.data) == {"errors"}):
        data = response.data if isinstance(response.data, dict) else {"non_field": response.data}
        response.data = {"errors": data}
    return response


class V1:
    """What every v1 view shares: a token (or the session of a signed-in page user), the token throttle and the
    error body."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    throttle_classes = [TokenRateThrottle]
    # Scripts send JSON: a form body cannot say null (a lock_version left empty), so the schema offers JSON only.
    parser_classes = [BoundedJSONParser]

    def get_exception_handler(self):
        return error_body


class NotFound(V1, APIView):
    """Paths under /api/v1/ that no route takes: 401 without a token, else a 404 in the API's error body."""

    schema = None  # not an operation of the schema

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFoundError()


class V1List(V1, ListAPIView):
    """A list: ``scoped()`` (the user's rows, narrowed to the token's study), filtered by ``filters``."""

    pagination_class = ApiPagination
    filter_backends = [DeclaredFilters]
    filters: dict[str, str] = {}

    def scoped(self):
        raise NotImplementedError

    def get_queryset(self):
        return self.scoped().order_by("pk")


class StudyList(V1List):
    serializer_class = StudySerializer
    filters = {"code": "code"}

    def scoped(self):
        return in_token_study(self.request, studies_for_user(self.request.user), field="pk")


def _study(request, code: str):
    study = study_for_user(request.user, code)
    require_token_study(request, study)
    return study


class SiteList(V1List):
    serializer_class = SiteSerializer
    filters = {"code": "code"}

    def scoped(self):
        return sites_for_user(self.request.user, _study(self.request, self.kwargs["study_code"])).select_related(
            "study"
        )


class ArmList(V1, APIView):
    """The study's arms, for the roles that see arms (a 403 for a blinded role)."""

    @extend_schema(responses=ArmSerializer(many=True))
    def get(self, request, study_code: str):
        checked_filters(request.query_params, {})
        study = _study(request, study_code)
        if not can_see_arms(request.user, study):
            raise PermissionDenied
        arms = [{"code": arm, "name": name} for arm, name in arm_names(study).items()]
        return ApiResponse(ArmSerializer(arms, many=True).data)


def _studies_where(user, action: Action | None = None) -> set[int]:
    """Ids of the user's studies where the role may ``action`` (arms: the blinding rule)."""
    memberships = Membership.objects.filter(user=user, is_active=True).select_related("study")
    if action is not None:
        return set(memberships.filter(role__in=roles_with(action)).values_list("study_id", flat=True))
    return {m.study_id for m in memberships if can_see_arms(user, m.study)}


class ParticipantList(V1List):
    serializer_class = ParticipantSerializer
    filters = {"study": "study__code", "site": "site__code", "identifier": "identifier", "status": "status"}

    def scoped(self):
        people = participants_for_user(self.request.user).select_related("personal_identifiers")
        return in_token_study(self.request, people)

    def get_serializer_context(self):
        user = self.request.user
        return {
            **super().get_serializer_context(),
            "arm_studies": _studies_where(user),
            "identifier_studies": _studies_where(user, Action.SEE_IDENTIFIERS),
        }


class VisitList(V1List):
    serializer_class = VisitSerializer
    filters = {
        "study": "participant__study__code",
        "participant": "participant_id",
        "visit_code": "visit_code",
        "site": "participant__site__code",
    }

    def scoped(self):
        visits = Visit.objects.filter(participant__in=participants_for_user(self.request.user))
        return in_token_study(self.request, visits.select_related("participant"), field="participant__study")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}


class QueryList(V1List):
    serializer_class = QuerySerializer
    filters = {"study": "study__code", "participant": "participant_id", "status": "status", "site": "site__code"}

    def scoped(self):
        return in_token_study(self.request, queries_for_user(self.request.user))


class AcquisitionList(V1List):
    serializer_class = AcquisitionSerializer
    filters = {
        "study": "study__code",
        "participant": "participant_id",
        "visit_code": "visit_code",
        "kind": "kind",
    }

    def scoped(self):
        return in_token_study(self.request, datafiles_for_user(self.request.user))


class SpecimenList(V1List):
    serializer_class = SpecimenSerializer
    filters = {
        "study": "study__code",
        "participant": "participant_id",
        "visit_code": "visit__visit_code",
        "type_code": "type_code",
        "status": "status",
        "sprec": "sprec__startswith",
    }

    def scoped(self):
        specimens = specimens_for_user(self.request.user).select_related("visit")
        return in_token_study(self.request, specimens).order_by("pk")


@extend_schema_view(
    get=extend_schema(parameters=[OpenApiParameter("study", str, required=True, pattern=r"^[-a-zA-Z0-9_]{1,32}$")])
)
class MeasureList(V1, MeasureListView):
    """Derived measures of one study (imaging.api: ?study= required, EXPORT_MEASURES)."""

    pagination_class = MeasurePagination
    serializer_class = MeasureSerializer

    def get_queryset(self):
        code = self.request.query_params.get("study", "").strip()
        if code:
            require_token_study(self.request, study_for_user(self.request.user, code))
        return super().get_queryset()


def _as_id(value) -> int | None:
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) <= 18 and int(text) > 0 else None


def _token_response(request, response_id: int):
    response = response_for_user(request.user, response_id)
    require_token_study(request, response.participant.study)


class ResponseList(V1, responses_api.ResponseListView):
    """Responses with items and scores; POST saves answers (workflows.api: response_submit)."""

    pagination_class = ApiPagination
    filter_backends = [DeclaredFilters]
    filters = responses_api.RESPONSE_FILTERS  # the session API's filters, with the paging parameters beside them

    def get_queryset(self):
        responses = responses_for_user(self.request.user)
        return in_token_study(self.request, responses, field="participant__study").order_by("pk")

    @extend_schema(
        request=responses_api.NewResponseSerializer,
        responses={201: responses_api.ResponseSerializer, 200: responses_api.ResponseSerializer},
    )
    def post(self, request):
        participant = _as_id(request.data.get("participant") if hasattr(request.data, "get") else None)
        if participant is not None:  # a bad id is the serializer's 400, in super().post
            require_token_study(request, participant_for_user(request.user, participant).study)
        return super().post(request)


class ResponseDetail(V1, responses_api.ResponseDetailView):
    serializer_class = responses_api.ResponseSerializer  # for the schema (the APIView answers with it)

    def get(self, request, response_id: int):
        _token_response(request, response_id)
        return super().get(request, response_id)

    @extend_schema(request=responses_api.AnswersSerializer, responses=responses_api.ResponseSerializer)
    def put(self, request, response_id: int):
        _token_response(request, response_id)
        return super().put(request, response_id)

    @extend_schema(request=responses_api.PatchSerializer, responses=responses_api.ResponseSerializer)
    def patch(self, request, response_id: int):
        _token_response(request, response_id)
        return super().patch(request, response_id)
