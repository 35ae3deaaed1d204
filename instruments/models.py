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

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="responses", verbose_name=_("participant")
    )
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
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )
    lock_version = models.PositiveIntegerField(default=0, verbose_name=_("lock version"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")
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


class DefinitionUpload(models.Model):
    """One file a study uploaded (our YAML or a REDCap data dictionary), kept as sent: the provenance of the
    definitions it yielded (``StudyInstrument.upload``). A dictionary of ten forms is stored once."""

    class Format(models.TextChoices):
        YAML = "yaml", _("Instrument definition (YAML)")
        REDCAP = "redcap", _("REDCap data dictionary (CSV)")

    study_code = models.CharField(_("study"), max_length=32, db_index=True)
    file_name = models.CharField(_("file"), max_length=255)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    text = models.TextField(_("file text"))
    checksum = models.CharField(max_length=64, verbose_name=_("checksum"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("definition upload")
        verbose_name_plural = _("definition uploads")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.study_code} · {self.file_name}"


class StudyInstrument(models.Model):
    """One version of a study's own instrument definition, stored as our YAML format and read by
    ``instruments.registry`` on every process (no restart). Keyed by the study's code, not a foreign key:
    studies sit above instruments. Immutable once stored (``instruments.services.study_instruments_load``).

    ``definition`` is our YAML, or for a REDCap form that form's rows of the dictionary (``format`` says which),
    read back by the reader that checked it at upload: a conversion to YAML could lose what one format says and
    the other cannot (REDCap's item codes need no form prefix, say). The whole dictionary stays in ``upload``.
    ``languages`` are those the definition was validated with ("en", "zh" or "en,zh"), so it reads back under
    the same rule.
    """

    study_code = models.CharField(_("study"), max_length=32)
    code = models.CharField(_("instrument"), max_length=40)
    version = models.CharField(_("version"), max_length=20)
    definition = models.TextField(_("definition"))
    format = models.CharField(_("format"), max_length=10, choices=DefinitionUpload.Format.choices)
    checksum = models.CharField(max_length=64, verbose_name=_("checksum"))
    languages = models.CharField(_("languages"), max_length=10, default="en,zh")
    upload = models.ForeignKey(
        DefinitionUpload, on_delete=models.PROTECT, related_name="definitions", verbose_name=_("upload")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("study instrument")
        verbose_name_plural = _("study instruments")
        ordering = ["study_code", "code", "uploaded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["study_code", "code", "version"], name="one_study_instrument_version"),
        ]

    def __str__(self) -> str:
        return f"{self.study_code} · {self.code} {self.version}"
