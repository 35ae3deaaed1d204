"""Allocation lists, their slots, and emergency unblinding records.

The arm of a slot is the concealed part: it is read only through ``randomisation.selectors`` and shown only
to roles for which ``randomisation.access.can_see_arms`` holds. Rows are written only by the services.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AllocationList(models.Model):
    """One generated list for a study. Frozen: the one the randomisation service draws from.

    ``seed`` rebuilds the whole list (randomisation.lists), so it is as secret as the slots' arms: shown only
    to roles that may SEE_ALLOCATION_LIST, never written to the audit trail (``list_sha256`` is, instead).
    """

    study = models.ForeignKey(
        "studies.Study", on_delete=models.PROTECT, related_name="allocation_lists", verbose_name=_("study")
    )
    # Decimal text: a server-drawn seed has 128 bits, beyond a BigIntegerField (randomisation.lists.seed_text).
    seed = models.CharField(_("seed"), max_length=80)
    # randomisation.lists.list_sha256 of the slots, recorded at generation (blank only for lists older than it).
    list_sha256 = models.CharField(_("SHA-256 of the list"), max_length=64, blank=True)
    arms = models.JSONField(_("arms and ratios"))  # [[code, ratio], ...] in protocol order
    block_multipliers = models.JSONField(_("block multipliers"))  # [1, 2, 3]
    # First blinding level: arm code -> group letter (randomisation.lists.group_labels).
    group_labels = models.JSONField(_("group letters"), default=dict, blank=True)
    strata_factors = models.JSONField(_("stratification factors"), default=list, blank=True)  # ["site", ...]
    size_per_stratum = models.PositiveIntegerField(_("size per stratum"))
    frozen = models.BooleanField(_("frozen"), default=False)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("allocation list")
        verbose_name_plural = _("allocation lists")
        ordering = ["study", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["study"], condition=models.Q(frozen=True), name="one_frozen_list_per_study"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.study} list #{self.pk}"

    @property
    def ratio_text(self) -> str:
        return ":".join(str(ratio) for _code, ratio in self.arms)


class AllocationSlot(models.Model):
    allocation_list = models.ForeignKey(
        AllocationList, on_delete=models.PROTECT, related_name="slots", verbose_name=_("allocation list")
    )
    stratum = models.CharField(_("stratum"), max_length=200, blank=True)
    sequence = models.PositiveIntegerField(_("position in the stratum"))
    number = models.CharField(_("randomisation number"), max_length=12)
    arm_code = models.CharField(_("arm"), max_length=64)
    block = models.PositiveIntegerField(_("block"))
    block_size = models.PositiveIntegerField(_("block size"))
    used_by = models.OneToOneField(
        "participants.Participant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocation",
        verbose_name=_("used by"),
    )
    used_at = models.DateTimeField(_("randomised at"), null=True, blank=True)
    used_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("used by user"),
    )

    class Meta:
        verbose_name = _("allocation slot")
        verbose_name_plural = _("allocation slots")
        ordering = ["allocation_list", "number"]
        constraints = [
            models.UniqueConstraint(fields=["allocation_list", "number"], name="unique_randomisation_number"),
            models.UniqueConstraint(fields=["allocation_list", "stratum", "sequence"], name="unique_stratum_position"),
        ]
        indexes = [models.Index(fields=["allocation_list", "stratum", "sequence"], name="slot_next_free")]

    def __str__(self) -> str:
        return self.number


class UnblindingEvent(models.Model):
    """An emergency unblinding: one user learnt one participant's arm, for a recorded reason."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="unblindings", verbose_name=_("participant")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("unblinding")
        verbose_name_plural = _("unblindings")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"unblinding of {self.participant} by {self.user}"


class UnblindingNotification(models.Model):
    """The message sent to one data manager about one unblinding (never the arm)."""

    event = models.ForeignKey(UnblindingEvent, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("email"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="one_notification_per_recipient"),
        ]

    def __str__(self) -> str:
        return f"notification of {self.event_id} to {self.recipient}"
