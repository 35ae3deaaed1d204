"""Middleware of the product's own (no domain logic)."""

from django.urls import reverse

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
