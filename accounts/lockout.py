"""Where django-axes finds the user name: the two-factor login wizard prefixes its fields."""


def username_from_request(request, credentials) -> str | None:
    if credentials and credentials.get("username"):
        return credentials["username"]
    return request.POST.get("auth-username") or request.POST.get("username")
