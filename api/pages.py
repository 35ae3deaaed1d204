"""Token pages: a user's own tokens (make, regenerate, revoke) and a study Admin's view of the study's tokens.
The new token is shown once, on the page that answers the POST; only its last characters are kept."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import memberships_for_user

from .access import study_for_tokens, token_for_user
from .selectors import tokens_of_study, tokens_of_user
from .services import token_create, token_revoke


def my_tokens(request):
    """GET: the user's tokens per study; POST study=<code>: a new token there (the old one is revoked)."""
    memberships = memberships_for_user(request.user)
    new_key = None
    if request.method == "POST":
        membership = get_object_or_404(memberships, study__code=request.POST.get("study", ""))
        new_key = token_create(user=request.user, study=membership.study, by=request.user).key
    tokens = {token.study_id: token for token in tokens_of_user(request.user)}
    rows = [(membership.study, tokens.get(membership.study_id)) for membership in memberships]
    return render(request, "api/token_list.html", {"rows": rows, "new_key": new_key})


def study_tokens(request, study_code: str):
    """A study Admin (MANAGE_API_TOKENS): every member's live token; POST user=<id> makes one for that member."""
    study = study_for_tokens(request.user, study_code)
    new_key = None
    if request.method == "POST":
        membership = get_object_or_404(study.memberships.filter(is_active=True), user_id=_id(request.POST.get("user")))
        new_key = token_create(user=membership.user, study=study, by=request.user).key
    context = {
        "study": study,
        "tokens": tokens_of_study(study),
        "members": study.memberships.filter(is_active=True).select_related("user").order_by("user__username"),
        "new_key": new_key,
    }
    return render(request, "api/study_tokens.html", context)


@require_POST
def token_revoke_view(request, token_id: int):
    token = token_for_user(request.user, token_id)
    token_revoke(token=token, by=request.user)
    messages.success(request, _("Token …%(last)s revoked.") % {"last": token.last_characters})
    if token.user_id == request.user.pk:
        return redirect("api:token-list")
    return redirect("api:study-tokens", study_code=token.study.code)


def _id(value) -> int:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else 0
