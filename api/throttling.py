"""Rate limit per API token (DRF throttling on Django's cache): a 429 with Retry-After past the rate."""

from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None  # session calls are people at pages, not scripts: not limited here
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
