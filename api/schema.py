"""drf-spectacular hooks: the schema describes /api/v1/ only (the older session endpoints are not part of it), and
says how the token is sent."""

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
