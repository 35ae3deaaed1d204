from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Response(models.Model):
    """One participant's answers to one instrument activity at one visit (one instance of a repeating form).

    Visit and activity are stored as the protocol's codes, so a response does not depend on how visits are
    kept as rows. ``lock_version`` increases on every save: a write that names an older one is refused.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETE = "complete", _("Complete")

    class Source(models.TextChoices):
        COORDINATOR = "coordinator", _("Entered by staff")
        PARTICIPANT = "participant", _("Entered by the participant")
        IMPORT = "import", _("File import")
        API = "api", _("API")

    participant = models.ForeignKey("participants.Participant", on_delete=models.PROTECT, related_name="responses")
    visit_code = models.CharField(_("visit"), max_length=40)
    activity_key = models.CharField(_("activity"), max_length=60)
    instance = models.PositiveIntegerField(_("instance"), default=1)
    instrument_code = models.CharField(_("instrument"), max_length=40)
    definition_version = models.CharField(_("definition version"), max_length=20)
    values = models.JSONField(_("answers"), default=dict, blank=True)
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    scoring_version = models.CharField(_("scoring version"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.COORDINATOR)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lock_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["participant", "visit_code", "activity_key", "instance"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "visit_code", "activity_key", "instance"], name="one_response_per_activity"
            ),
        ]
        indexes = [models.Index(fields=["instrument_code", "scoring_version"])]

    def __str__(self) -> str:
        return f"{self.participant} · {self.visit_code} · {self.activity_key} #{self.instance}"


class ResponseRevision(models.Model):
    """What a save stored, by whom, why: the trail of every change to a response."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="revisions")
    lock_version = models.PositiveIntegerField()
    values = models.JSONField(default=dict)
    scores = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=Response.Status.choices)
    source = models.CharField(max_length=20, choices=Response.Source.choices)
    reason = models.TextField(_("reason for change"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["response", "lock_version"]
        constraints = [
            models.UniqueConstraint(fields=["response", "lock_version"], name="one_revision_per_lock_version"),
        ]

    def __str__(self) -> str:
        return f"{self.response} v{self.lock_version}"
