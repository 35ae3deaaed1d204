from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """The product's user. Custom from the start so that fields can be added without pain."""

    display_name = models.CharField(_("display name"), max_length=150, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    DATA_MANAGER = "data_manager", _("Data manager")
    PI = "pi", _("PI")
    COORDINATOR = "coordinator", _("Coordinator")
    MONITOR = "monitor", _("Monitor")
    UNBLINDED_STATISTICIAN = "unblinded_statistician", _("Unblinded statistician")


class Membership(models.Model):
    """A user's role in one study, limited to some of its sites unless ``all_sites``."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    study = models.ForeignKey(
        "studies.Study", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("study")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    all_sites = models.BooleanField(_("all sites"), default=False)
    sites = models.ManyToManyField("studies.Site", blank=True, related_name="memberships", verbose_name=_("sites"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("study role")
        verbose_name_plural = _("study roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "study"], name="one_membership_per_user_and_study"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.study} · {self.get_role_display()}"


class Invitation(models.Model):
    """An invitation to join a study with a role at some of its sites, sent by e-mail as a one-time link.

    Only the SHA-256 of the link's token is stored: whoever reads this table cannot use a pending link. The
    invitee chooses a user name and password on the link's page (no password is ever mailed); the link then
    stops working, and it stops working anyway at ``expires_at`` or when it is revoked.
    """

    email = models.EmailField(_("e-mail"))
    study = models.ForeignKey(
        "studies.Study", on_delete=models.CASCADE, related_name="invitations", verbose_name=_("study")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    all_sites = models.BooleanField(_("all sites"), default=False)
    sites = models.ManyToManyField("studies.Site", blank=True, related_name="invitations", verbose_name=_("sites"))
    token_hash = models.CharField(max_length=64, unique=True, verbose_name=_("token hash"))
    expires_at = models.DateTimeField(_("expires"))
    invited_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("accepted by")
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} · {self.study} · {self.get_role_display()}"
