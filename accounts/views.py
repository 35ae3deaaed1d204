from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from .selectors import memberships_for_user


def profile(request):
    """The signed-in user's memberships, and the way to two-factor set-up."""
    return render(request, "accounts/profile.html", {"memberships": memberships_for_user(request.user)})


@require_POST
def session_keep_alive(request):
    """Stay signed in: this request renews the idle timeout (every request does); the seconds left now."""
    return JsonResponse({"expires_in": request.session.get_expiry_age()})
