"""DRF authentication by API token: ``Authorization: Token <32 hex>`` (or ``Bearer``). ``request.auth`` is the
ApiToken, so the views narrow every answer to its study (api.access.in_token_study)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .selectors import token_by_hash
from .services import hash_key, token_record_use

KEYWORDS = ("token", "bearer")


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in KEYWORDS:
            return None  # not a token call: the session class may answer
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after the word Token, with one space."))
        key = header[1].decode("latin-1")
        token = token_by_hash(hash_key(key)) if len(key) == 32 else None
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Unknown, expired or revoked API token."))
        token_record_use(token=token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # A 401 (not a 403) for a missing or bad token, with the scheme a client should use.
        return "Token"
