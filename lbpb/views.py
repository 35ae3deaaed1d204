"""The home page: the user's studies and roles (the navigation comes from lbpb.navigation)."""

from django.shortcuts import render

from accounts.selectors import memberships_for_user


def home(request):
    return render(request, "home.html", {"memberships": memberships_for_user(request.user)})
