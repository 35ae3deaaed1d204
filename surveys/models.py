"""Participant surveys: the links a participant reports from home with, what they opened, the diary days and
the reminders sent. The answers themselves are ``instruments.Response`` rows (source ``participant``), written
through ``workflows.services.response_submit`` like every other answer (docs/surveys.md).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyLink(models.Model):
    """One participant's link for one visit. Only the SHA-256 of the token is stored: the token itself is
    shown once, to the coordinator who made the link."""

    participant = models.ForeignKey("participants.Participant", on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey("participants.Visit", on_delete=models.PROTECT, related_name="survey_links")
    token_hash = models.CharField(max_length=64, unique=True)
    language = models.CharField(_("language"), max_length=10)
    expires_at = models.DateTimeField(_("expires at"))
    # Empty for a link the participant opened from the portal.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"survey link {self.pk} · {self.participant} {self.visit.visit_code}"

    @property
    def study(self):
        return self.participant.study

    @property
    def site(self):
        return self.participant.site


class SurveyAccess(models.Model):
    """Every request to a survey page, refused ones too (``link`` is empty for a token that matches none)."""

    class Outcome(models.TextChoices):
        OPENED = "opened", _("Opened")
        SAVED = "saved", _("Saved")
        REFUSED = "refused", _("Refused")
        LIMITED = "limited", _("Rate limited")

    link = models.ForeignKey(SurveyLink, null=True, blank=True, on_delete=models.PROTECT, related_name="accesses")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    # Why a request was refused, for staff only (the participant sees the same page whatever the reason).
    reason = models.CharField(max_length=20, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=200)
    method = models.CharField(max_length=8)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.outcome} {self.path} {self.at:%Y-%m-%d %H:%M}"


class PageTiming(models.Model):
    """How long a participant spent on one survey page (one form, or one diary day): kept beside the answers."""

    link = models.ForeignKey(SurveyLink, on_delete=models.CASCADE, related_name="timings")
    activity_key = models.CharField(max_length=60)
    instance = models.PositiveIntegerField(default=1)
    first_shown_at = models.DateTimeField()
    last_saved_at = models.DateTimeField(null=True, blank=True)
    seconds = models.PositiveIntegerField(default=0)  # summed over the saves, each capped (services.TIMING_CAP)
    saves = models.PositiveIntegerField(default=0)
    # Per item: seconds from the page's opening to its first and its last answer, {code: [first, last]}, as the
    # browser measured them on the save that last changed the item.
    items = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "activity_key", "instance"], name="one_timing_per_survey_page")
        ]

    def __str__(self) -> str:
        return f"{self.link_id} {self.activity_key}#{self.instance}: {self.seconds}s"


class DiaryDay(models.Model):
    """One day of a repeating diary: the day it belongs to is fixed by the instance, whenever it is entered."""

    participant = models.ForeignKey("participants.Participant", on_delete=models.PROTECT, related_name="+")
    visit_code = models.CharField(max_length=64)
    activity_key = models.CharField(max_length=60)
    instance = models.PositiveIntegerField()
    day = models.DateField(_("day"))
    entered_at = models.DateTimeField(_("entered at"))
    late = models.BooleanField(_("late"), default=False)
    link = models.ForeignKey(SurveyLink, on_delete=models.PROTECT, related_name="diary_days")

    class Meta:
        ordering = ["participant", "visit_code", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "visit_code", "activity_key", "day"], name="one_diary_entry_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.activity_key} {self.day}" + (" (late)" if self.late else "")


class ReminderMessage(models.Model):
    """One reminder, claimed (inserted) before it is sent: the unique key makes a second send impossible."""

    class Kind(models.TextChoices):
        VISIT_TOMORROW = "visit_tomorrow", _("The visit opens tomorrow")
        SURVEY_DUE = "survey_due", _("A survey is due and unanswered")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Claimed")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    participant = models.ForeignKey("participants.Participant", on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey("participants.Visit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    day = models.DateField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CLAIMED)
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-day", "participant", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "visit", "kind", "day", "channel"], name="one_reminder_per_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} {self.participant} {self.day} ({self.status})"


class ReminderContact(models.Model):
    """Where a participant's reminders go, and the channels they opted out of (the phone is the participant's
    identifying data, ``participants.PersonalIdentifiers``)."""

    participant = models.OneToOneField(
        "participants.Participant", on_delete=models.CASCADE, related_name="reminder_contact"
    )
    email = models.EmailField(_("e-mail"), blank=True)
    email_opt_out = models.BooleanField(_("no e-mail reminders"), default=False)
    sms_opt_out = models.BooleanField(_("no SMS reminders"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"reminder contact of participant {self.participant_id}"


class PortalCode(models.Model):
    """A one-time sign-in code of the participant portal, stored as a salted SHA-256 (surveys.portal)."""

    participant = models.ForeignKey("participants.Participant", on_delete=models.CASCADE, related_name="+")
    email_digest = models.CharField(max_length=64, db_index=True)
    salt = models.CharField(max_length=16)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"portal code {self.pk} of participant {self.participant_id}"
