"""Two-factor log-in required for the roles that can change or unblind study data."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from .capabilities import Action, role_may
from .selectors import roles_for_user

# Pages a user without a second factor may still open: setting it up, logging out, switching language.
OPEN_PREFIXES = ("two_factor:", "logout", "set_language", "core:health")


class RequireTwoFactorMiddleware:
    """A user whose role in any study has USE_TWO_FACTOR (accounts/capabilities.py), not verified by an OTP device
    (django-otp), is sent to the two-factor set-up page before any other page. Off when ``settings.REQUIRE_2FA``
    is false."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_set_up(request):
            return redirect(reverse("two_factor:setup"))
        return self.get_response(request)

    @staticmethod
    def _must_set_up(request) -> bool:
        user = getattr(request, "user", None)
        if not settings.REQUIRE_2FA or user is None or not user.is_authenticated or user.is_verified():
            return False
        if request.path.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/"):
            return False
        match = request.resolver_match or _resolve(request.path_info)
        if match is not None and match.view_name.startswith(OPEN_PREFIXES):
            return False
        return any(role_may(role, Action.USE_TWO_FACTOR) for role in roles_for_user(user))


def _resolve(path):
    try:
        return resolve(path)
    except Resolver404:
        return None
