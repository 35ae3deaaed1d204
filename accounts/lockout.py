"""Where django-axes finds the user name (the two-factor login wizard prefixes its fields) and the address."""

from django.conf import settings


def username_from_request(request, credentials) -> str | None:
    if credentials and credentials.get("username"):
        return credentials["username"]
    return request.POST.get("auth-username") or request.POST.get("username")


def client_address(request) -> str | None:
    """The client's address for the lock-out (user name and address together).

    Behind the TLS proxy (DJANGO_BEHIND_PROXY=1) every request comes from the proxy; nginx's
    ``$proxy_add_x_forwarded_for`` appends the address it saw, so the last entry is the one a client cannot forge.
    """
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")
