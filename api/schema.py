"""drf-spectacular hooks: the schema describes /api/v1/ only (the older session endpoints are not part of it), says
how the token is sent, and lists the error statuses every operation can answer with, each with the one error body."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <32 hex>`, made on the account page or by `manage.py api_token`.",
        }


def only_v1(endpoints, **kwargs):
    return [
        (path, pattern, method, view)
        for path, pattern, method, view in endpoints
        if path.startswith("/api/v1/") and not path.startswith(("/api/v1/schema", "/api/v1/docs", "/api/v1/redoc"))
    ]


ERRORS = {
    "type": "object",
    "required": ["errors"],
    "properties": {"errors": {"type": "object", "additionalProperties": True}},
    "description": "What went wrong, by field (or `query`, `detail`, `non_field`), each reason in `en` and `zh`.",
}
_ANY_CALL = {
    "401": "No token, or a token that is unknown, revoked or expired.",
    "403": "The token's user may not do this in this study.",
    "404": "Not found, or outside what the token's user may see.",
    "429": "Too many calls with this token; wait for the seconds in `Retry-After`.",
}
_WITH_INPUT = {"400": "A query parameter or a value is refused; each problem is named."}
_WRITES = {
    "409": "The record changed since it was read (`lock_version`), or the schedule does not hold the form.",
    "423": "The form, its visit or the participant is locked.",
}


def error_responses(result, generator, request, public):
    """Every operation answers with its error statuses and the ``Errors`` body (api.views.error_body)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Errors"] = ERRORS
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}
    retry = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            statuses = {**_ANY_CALL, **_WITH_INPUT}
            if method in ("post", "put", "patch"):
                statuses |= _WRITES
            for status, description in statuses.items():
                answer = {"description": description, "content": body}
                if status == "429":
                    answer["headers"] = retry
                operation.setdefault("responses", {}).setdefault(status, answer)
    return result
