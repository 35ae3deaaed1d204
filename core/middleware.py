"""Middleware of the product's own (no domain logic)."""

from django.conf import settings
from django.urls import reverse
from django.utils.cache import patch_cache_control

from . import views


class HealthCheckMiddleware:
    """Answer ``GET /health/`` before host validation and the HTTPS redirect.

    The container's own probe and a load balancer call the server by address (``127.0.0.1:8000``),
    which is not one of ``ALLOWED_HOSTS`` and does not come through the TLS proxy. Adding those
    addresses to ``ALLOWED_HOSTS`` would open every page to them; instead this first middleware
    answers that one URL itself. The health view never reads the host, so nothing built from an
    untrusted Host header reaches a response. Every other request goes on through the usual chain.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.path = reverse("core:health")

    def __call__(self, request):
        if request.path == self.path and request.method == "GET":
            return views.health(request)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every response, and ``Cache-Control: no-store`` where personal data may be.

    Static files never get here (whitenoise answers them first), so they stay cacheable.

    The policy (``settings.CONTENT_SECURITY_POLICY``) allows scripts and styles from the product's own static
    files only: no inline handlers, no inline ``<script>`` or ``style`` attributes (they live in static/js and
    static/css). ``no-store`` goes on everything served to a signed-in user (pages, API answers, previews) and on every
    download (anything sent as an attachment: CSV, YAML, BIDS zips, acquisition files), so that neither the browser nor
    a proxy keeps a copy of participants' data after the session ends.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        user = getattr(request, "user", None)
        if _is_download(response) or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True, private=True)
        return response


def _is_download(response) -> bool:
    return response.get("Content-Disposition", "").startswith("attachment") or getattr(response, "as_attachment", False)
