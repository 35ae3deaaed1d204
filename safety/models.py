"""Adverse events and the SAE reporting clock.

The AE itself is the ``ae_record`` CRF (instruments.Response): ``AdverseEvent`` is a projection of one
response, kept in step by ``safety.services.adverse_event_sync``, so that lists, counts and clocks are
queries rather than JSON scans. ``SaeReport`` is one reporting deadline of a serious event (one per
recipient) and when, to whom and how it was met. ``SafetyNotification`` remembers every e-mail sent,
so that no notice is sent twice.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AdverseEvent(models.Model):
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        related_name="adverse_events",
        verbose_name=_("participant"),
    )
    response = models.OneToOneField(
        "instruments.Response", on_delete=models.PROTECT, related_name="adverse_event", verbose_name=_("response")
    )
    visit_code = models.CharField(_("visit"), max_length=40)
    instance = models.PositiveIntegerField(_("entry"), default=1)
    event_code = models.PositiveSmallIntegerField(_("event"), null=True, blank=True)
    term = models.CharField(_("term"), max_length=200, blank=True)
    onset = models.DateField(_("onset"), null=True, blank=True)
    resolution = models.DateField(_("resolution"), null=True, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    serious = models.BooleanField(_("serious"), default=False)
    sae_criteria = models.JSONField(_("SAE criteria"), default=list, blank=True)
    relationship = models.PositiveSmallIntegerField(_("relationship"), null=True, blank=True)
    outcome = models.PositiveSmallIntegerField(_("outcome"), null=True, blank=True)
    aware_at = models.DateTimeField(_("investigator aware at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("adverse event")
        verbose_name_plural = _("adverse events")
        ordering = ["participant", "onset", "pk"]
        indexes = [models.Index(fields=["serious", "grade"])]

    def __str__(self) -> str:
        return f"{self.participant} AE {self.term or self.visit_code} #{self.instance}"


class SaeReport(models.Model):
    """One reporting deadline of a serious adverse event and how it was met."""

    class Recipient(models.TextChoices):
        HEAD_OF_CENTRE = "head_of_centre", _("Head of the research centre")
        ETHICS_COMMITTEE = "ethics_committee", _("Ethics committee")
        TEAM_LEADER = "team_leader", _("Team leader")

    class Method(models.TextChoices):
        PHONE = "phone", _("Telephone")
        EMAIL = "email", _("E-mail")
        FAX = "fax", _("Fax")
        IN_PERSON = "in_person", _("In person")
        PAPER = "paper", _("Paper form")
        OTHER = "other", _("Other")

    adverse_event = models.ForeignKey(
        AdverseEvent, on_delete=models.CASCADE, related_name="reports", verbose_name=_("adverse event")
    )
    recipient = models.CharField(_("recipient"), max_length=32, choices=Recipient.choices)
    due_at = models.DateTimeField(_("due"))
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_to = models.CharField(_("reported to (name)"), max_length=200, blank=True)
    method = models.CharField(_("how"), max_length=20, choices=Method.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SAE report")
        verbose_name_plural = _("SAE reports")
        ordering = ["due_at", "recipient"]
        constraints = [
            models.UniqueConstraint(fields=["adverse_event", "recipient"], name="one_sae_report_per_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.adverse_event} · {self.recipient}"

    @property
    def participant(self):
        return self.adverse_event.participant


class SafetyNotification(models.Model):
    """An e-mail sent about an SAE; ``key`` names the event and deadline state, so each is sent once."""

    class Kind(models.TextChoices):
        SAE_RECORDED = "sae_recorded", _("SAE recorded")
        DUE_SOON = "due_soon", _("Report due within 2 hours")
        OVERDUE = "overdue", _("Report overdue")

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    adverse_event = models.ForeignKey(AdverseEvent, on_delete=models.CASCADE, related_name="notifications")
    report = models.ForeignKey(SaeReport, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.key
