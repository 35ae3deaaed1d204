"""API tokens: one per user and study, stored as a SHA-256 hash (the token itself is shown once, when made)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    study = models.ForeignKey(
        "studies.Study", on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("study")
    )
    # SHA-256 of the 32-hex token: a token is random (128 bits), so a fast unsalted hash is enough (as GitHub's
    # and Django REST Knox's are) and lets one indexed lookup find it.
    key_hash = models.CharField(max_length=64, unique=True, verbose_name=_("key hash"))
    last_characters = models.CharField(_("last characters"), max_length=4)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="api_tokens_made",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    use_count = models.PositiveBigIntegerField(_("calls"), default=0)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "study"], condition=models.Q(revoked_at__isnull=True), name="one_live_token_per_study"
            )
        ]

    def __str__(self) -> str:
        return f"…{self.last_characters} · {self.study_id}"


class SuperToken(models.Model):
    """A server administrator's 64-hex super token (REDCap's): it belongs to no study and may only create one
    (``content=project`` on the REDCap-compatible API). Stored as a SHA-256 hash, like project tokens."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="super_tokens", verbose_name=_("user")
    )
    key_hash = models.CharField(max_length=64, unique=True, verbose_name=_("key hash"))
    last_characters = models.CharField(_("last characters"), max_length=4)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    use_count = models.PositiveBigIntegerField(_("calls"), default=0)

    class Meta:
        verbose_name = _("super API token")
        verbose_name_plural = _("super API tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(revoked_at__isnull=True), name="one_live_super_token_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"super …{self.last_characters}"
