"""JSON API for responses: the same access checks and scoped querysets as the pages, writes through
response_submit (source "api")."""

from __future__ import annotations

from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from core.inputs import BoundedSerializerMixin
from core.pagination import ApiPagination
from core.validation import INT32_MAX, FiltersRefused, filter_lookups
from instruments.models import Response
from instruments.registry import StoredDefinitionError
from participants.access import crf_for_user as access_crf_for_user
from participants.access import participant_for_user, response_for_user
from participants.selectors import responses_for_user, scheduled_activity

from .services import response_submit


class ResponseSerializer(serializers.ModelSerializer):
    participant_identifier = serializers.CharField(source="participant.identifier", read_only=True)
    study = serializers.CharField(source="participant.study.code", read_only=True)

    class Meta:
        model = Response
        fields = [
            "id",
            "participant",
            "participant_identifier",
            "study",
            "visit_code",
            "activity_key",
            "instance",
            "instrument_code",
            "definition_version",
            "values",
            "scores",
            "scoring_version",
            "status",
            "source",
            "lock_version",
            "created_at",
            "updated_at",
            "completed_at",
        ]
        read_only_fields = fields


class AnswersSerializer(BoundedSerializerMixin, serializers.Serializer):
    """What a client sends to save answers; validating the answers themselves is response_submit's job."""

    answers = serializers.DictField(child=serializers.JSONField(allow_null=True))
    complete = serializers.BooleanField(default=False)
    lock_version = serializers.IntegerField(min_value=0, max_value=INT32_MAX, required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    # Confirms the plausibility warnings the answers raise (a 400 names them when it is missing); opens a query.
    warning_reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class PatchSerializer(AnswersSerializer):
    """A partial update: only the answers sent change; ``complete`` left out keeps the form's status."""

    complete = serializers.BooleanField(required=False)


class NewResponseSerializer(AnswersSerializer):
    participant = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    visit_code = serializers.SlugField()
    activity_key = serializers.SlugField()
    instance = serializers.IntegerField(min_value=1, max_value=INT32_MAX, default=1)


# An update without the version the client read would silently overwrite another user's change: refused.
LOCK_VERSION_REQUIRED = {
    "en": "Send the lock_version of the response you read (GET it first): an update without it could overwrite "
    "someone else's change. Nothing was saved.",
    "zh": "请提交您读取的答卷的 lock_version（请先 GET 该答卷）：缺少它的更新可能覆盖他人的修改。未保存任何内容。",
}


def _lock_version_missing(data) -> ApiResponse | None:
    if data.get("lock_version") is None:
        return ApiResponse({"errors": {"lock_version": LOCK_VERSION_REQUIRED}}, status=status.HTTP_409_CONFLICT)
    return None


def _raw(answers: dict) -> dict:
    """JSON answers as the text a form would send (lists stay lists for multiple choice)."""
    return {code: value if isinstance(value, list) or value is None else str(value) for code, value in answers.items()}


def _crf(user, participant_id: int, visit_code: str, activity_key: str):
    """The CRF, or a 404 that says why when the protocol has no such visit or form (``participant`` must be one
    the user may see first: another site's participant is a plain 404)."""
    refusal = scheduled_activity(participant_for_user(user, participant_id), visit_code, activity_key)
    if refusal is not None and refusal.unknown:
        raise NotFound({"errors": {"schedule": refusal.reason}})
    return crf_for_user(user, participant_id, visit_code, activity_key)


class DefinitionUnreadable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "definition_unreadable"


def crf_for_user(user, participant_id, visit_code: str, activity_key: str):
    """The CRF (participants.access), or a 503 naming the study definition that no longer reads."""
    try:
        return access_crf_for_user(user, participant_id, visit_code, activity_key)
    except StoredDefinitionError as error:
        raise DefinitionUnreadable({"errors": {"instrument": unreadable_message(error)}}) from None


UNREADABLE = {
    "en": "The study's definition of {code} {version} no longer reads: nothing can be entered or shown for this "
    "form until a data manager uploads a corrected version.",
    "zh": "本研究的量表定义 {code} {version} 已无法读取：在数据管理员上传修正版本之前，无法录入或显示此表单。",
}


def unreadable_message(error: StoredDefinitionError) -> dict[str, str]:
    return {language: text.format(code=error.code, version=error.version) for language, text in UNREADABLE.items()}


def _submit(request, crf, data, *, instance: int, response: Response | None):
    if not crf.can_write:
        raise PermissionDenied
    if crf.refusal is not None:  # the visit or form exists, but not on this participant's schedule (or not yet)
        return ApiResponse({"errors": {"schedule": crf.refusal.reason}}, status=status.HTTP_409_CONFLICT)
    if response is not None and (missing := _lock_version_missing(data)) is not None:
        return missing
    instrument_code = response.instrument_code if response else crf.instrument.code
    version = response.definition_version if response else crf.instrument.version
    result = response_submit(
        participant=crf.participant,
        visit_code=crf.visit.code,
        activity_key=crf.activity.key,
        instrument_code=instrument_code,
        raw=_raw(data["answers"]),
        complete=data["complete"],
        user=request.user,
        source=Response.Source.API,
        expected_lock_version=data.get("lock_version"),
        reason=data["reason"],
        instance=instance,
        definition_version=version,
        warning_reason=data["warning_reason"],
    )
    if result.locked:  # a data manager locked the form, its visit or the participant
        return ApiResponse({"errors": result.errors}, status=status.HTTP_423_LOCKED)
    if result.conflict:
        return ApiResponse({"errors": result.errors}, status=status.HTTP_409_CONFLICT)
    if not result.ok:
        return ApiResponse({"errors": result.errors}, status=status.HTTP_400_BAD_REQUEST)
    return ApiResponse(
        ResponseSerializer(result.response).data,
        status=status.HTTP_201_CREATED if response is None else status.HTTP_200_OK,
    )


# GET filters of the response list: query parameter -> lookup. Anything else is a 400 naming these, never
# silently ignored (a misspelt filter would otherwise return every response). ``format`` is DRF's own, ``page``
# and ``page_size`` the pagination's.
RESPONSE_FILTERS = {
    "study": "participant__study__code",
    "participant": "participant_id",
    "visit_code": "visit_code",
    "activity_key": "activity_key",
    "instrument_code": "instrument_code",
}
OTHER_PARAMETERS = ("format", "page", "page_size")


def _filters(params) -> dict:
    try:
        return filter_lookups(params, RESPONSE_FILTERS, OTHER_PARAMETERS)
    except FiltersRefused as refused:
        raise ValidationError({"errors": refused.problems}) from None


class ResponseListView(ListAPIView):
    """GET: responses of the participants the user may see (filters: RESPONSE_FILTERS; an unknown one is a 400).
    POST: save answers for a participant's visit activity (409 when the participant's schedule does not hold it,
    404 when the protocol has no such form, each with the reason in both languages)."""

    serializer_class = ResponseSerializer
    pagination_class = ApiPagination  # a study's responses run to hundreds of thousands: pages, with the count

    def get_queryset(self):
        return responses_for_user(self.request.user).filter(**_filters(self.request.query_params)).order_by("pk")

    def post(self, request):
        incoming = NewResponseSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        crf = _crf(request.user, data["participant"], data["visit_code"], data["activity_key"])
        existing = (
            responses_for_user(request.user)
            .filter(
                participant=crf.participant,
                visit_code=crf.visit.code,
                activity_key=crf.activity.key,
                instance=data["instance"],
            )
            .first()
        )
        return _submit(request, crf, data, instance=data["instance"], response=existing)


class ResponseDetailView(APIView):
    """GET one response; PUT all its answers, PATCH some of them (both need the lock_version you read: 409
    without it)."""

    def get(self, request, response_id: int):
        return ApiResponse(ResponseSerializer(response_for_user(request.user, response_id)).data)

    def put(self, request, response_id: int):
        response = response_for_user(request.user, response_id)
        incoming = AnswersSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        crf = _crf(request.user, response.participant_id, response.visit_code, response.activity_key)
        return _submit(request, crf, incoming.validated_data, instance=response.instance, response=response)

    def patch(self, request, response_id: int):
        response = response_for_user(request.user, response_id)
        incoming = PatchSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        # The stored answers with the sent ones over them; response_submit cleans and scores the whole form again.
        data["answers"] = {**response.values, **data["answers"]}
        data.setdefault("complete", response.status == Response.Status.COMPLETE)
        crf = _crf(request.user, response.participant_id, response.visit_code, response.activity_key)
        return _submit(request, crf, data, instance=response.instance, response=response)
