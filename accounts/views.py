from django.shortcuts import render

from .selectors import memberships_for_user


def profile(request):
    """The signed-in user's memberships, and the way to two-factor set-up."""
    return render(request, "accounts/profile.html", {"memberships": memberships_for_user(request.user)})
