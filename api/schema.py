"""drf-spectacular hooks: the schema describes /api/v1/ only (the older session endpoints are not part of it)."""


def only_v1(endpoints, **kwargs):
    return [
        (path, pattern, method, view)
        for path, pattern, method, view in endpoints
        if path.startswith("/api/v1/") and not path.startswith(("/api/v1/schema", "/api/v1/docs", "/api/v1/redoc"))
    ]
