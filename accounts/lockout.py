"""Where django-axes finds the user name (the two-factor login wizard prefixes its fields) and the address, and the
count of password-reset requests."""

import hashlib

from django.conf import settings
from django.core.cache import cache


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


# Password-reset requests are counted per client address and per e-mail address in fixed one-hour windows, in
# Django's cache (the default cache is per server process; a shared cache makes the limit server-wide).
RESET_WINDOW_SECONDS = 3600


def count_in_window(key: str, seconds: int = RESET_WINDOW_SECONDS) -> int:
    """Count one more event under ``key`` in a fixed window of ``seconds`` (Django's cache); the new count.
    Also the survey pages' limit per address (surveys.access)."""
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        return 1


def reset_request_limits(*, request, email: str) -> tuple[bool, bool]:
    """Count one password-reset request and say whether (this address, this e-mail address) went past
    ``settings.PASSWORD_RESET_REQUEST_LIMIT`` this hour. Counted alike whether or not a user has the e-mail
    address, so the answer reveals nothing about accounts."""
    limit = settings.PASSWORD_RESET_REQUEST_LIMIT
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    by_address = count_in_window(f"password-reset:address:{client_address(request)}")
    by_email = count_in_window(f"password-reset:email:{digest}")
    return by_address > limit, by_email > limit
