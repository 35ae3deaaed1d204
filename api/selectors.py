from django.db.models import QuerySet
from django.utils import timezone

from .models import ApiToken, SuperToken


def live_tokens() -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(revoked_at__isnull=True)


def tokens_of_user(user) -> QuerySet[ApiToken]:
    """The user's live tokens, in the studies where the user is still an active member."""
    return (
        live_tokens()
        .filter(user=user, study__memberships__user=user, study__memberships__is_active=True)
        .select_related("study")
        .order_by("study__code")
    )


def tokens_of_study(study) -> QuerySet[ApiToken]:
    return live_tokens().filter(study=study).select_related("user").order_by("user__username")


def token_by_hash(key_hash: str) -> ApiToken | None:
    """The live, unexpired token with this hash, with its user and study."""
    token = live_tokens().select_related("user", "study").filter(key_hash=key_hash).first()
    if token is None or (token.expires_at is not None and token.expires_at <= timezone.now()):
        return None
    return token


def super_token_by_hash(key_hash: str) -> SuperToken | None:
    """The live super token with this hash, with its user."""
    return SuperToken.objects.select_related("user").filter(key_hash=key_hash, revoked_at__isnull=True).first()
