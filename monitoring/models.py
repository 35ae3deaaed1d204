"""Monitoring: source data verification and the PI's casebook signature (locks are participants.Lock).

Rows are history: a verification that a later change reset, a lock that was lifted and a signature that a
change voided all stay, with who and why. The current state is the row that is not reset, unlocked or voided.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SourceVerification(models.Model):
    """A monitor compared one CRF response with the source documents at one lock version."""

    response = models.ForeignKey(
        "instruments.Response", on_delete=models.PROTECT, related_name="verifications", verbose_name=_("response")
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("verified by")
    )
    verified_at = models.DateTimeField(_("verified at"))
    lock_version = models.PositiveIntegerField(_("version verified"))
    # Field-level SDV (the protocol's `sdv.forms[].fields`): the item codes ticked so far at this version; the
    # form counts as verified once ``complete`` (every required field ticked, or the form verified as a whole).
    fields = models.JSONField(_("fields verified"), default=list, blank=True)
    complete = models.BooleanField(_("verification complete"), default=True)
    reset_at = models.DateTimeField(_("reset at"), null=True, blank=True)
    reset_reason = models.TextField(_("reset because"), blank=True)

    class Meta:
        verbose_name = _("source data verification")
        verbose_name_plural = _("source data verifications")
        ordering = ["-verified_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["response"], condition=Q(reset_at__isnull=True), name="one_current_verification_per_response"
            ),
        ]

    def __str__(self) -> str:
        return f"SDV {self.response} v{self.lock_version}"

    @property
    def participant(self):
        return self.response.participant


class Signature(models.Model):
    """The PI's electronic signature of a participant's casebook, over a hash of its content at signing."""

    class Meaning(models.TextChoices):
        REVIEWED = "reviewed", _("I have reviewed the data of this casebook and confirm it is complete and accurate.")

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="signatures", verbose_name=_("participant")
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("signer")
    )
    signed_at = models.DateTimeField(_("signed at"))
    meaning = models.CharField(_("meaning"), max_length=20, choices=Meaning.choices)
    meaning_text = models.TextField(_("meaning as signed"))  # both languages, as shown at signing
    content_hash = models.CharField(_("casebook hash"), max_length=64)
    # Why it was signed although required SDV or open queries remained (workflows.review); empty: no override.
    override_reason = models.TextField(_("reason for signing before review was complete"), blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by_change = models.TextField(_("voided by"), blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["-signed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"], condition=Q(voided_at__isnull=True), name="one_valid_signature_per_participant"
            ),
        ]

    def __str__(self) -> str:
        return f"Signature {self.participant} {self.signed_at:%Y-%m-%d}"

    @property
    def is_valid(self) -> bool:
        return self.voided_at is None
