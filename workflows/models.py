"""The one table of workflows: a queued response import (the CSV text until it has run, its progress and report)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ResponseImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Saved")
        FAILED = "failed", _("Nothing saved")

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+", verbose_name=_("study"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    # The uploader's sites when the file came (empty: all sites): who else may see the job's per-row report.
    site_ids = models.JSONField(default=list, blank=True, verbose_name=_("site ids"))
    file_name = models.CharField(_("file name"), max_length=255)
    csv_text = models.TextField(
        blank=True, verbose_name=_("csv text")
    )  # the stored upload; emptied once the job has run
    complete = models.BooleanField(default=True, verbose_name=_("complete"))
    reason = models.CharField(max_length=500, blank=True, verbose_name=_("reason"))
    language = models.CharField(
        max_length=10, blank=True, verbose_name=_("language")
    )  # the uploader's: the per-row messages are in it
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0, verbose_name=_("rows total"))
    rows_done = models.PositiveIntegerField(default=0, verbose_name=_("rows done"))
    report = models.JSONField(
        default=dict, blank=True, verbose_name=_("report")
    )  # {"problem": str, "saved": int, "rows": [...]}
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(max_length=64, blank=True, verbose_name=_("task ID"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    class Meta:
        verbose_name = _("form import")
        verbose_name_plural = _("form imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class ResponseDraft(models.Model):
    """What one user has typed into one CRF and not yet submitted, saved as they type.

    A draft is never data: it lives here, on the top floor, so no export, score, dashboard, completeness count
    or audit trail (all on floors below) can read it; it is restored when its user reopens the form and deleted
    when they submit it. ``base_lock_version`` is the stored response's version the user started from: when the
    response has moved on since, the form shows both sides to merge.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey("participants.Participant", on_delete=models.CASCADE, related_name="+")
    visit_code = models.CharField(max_length=40)
    activity_key = models.CharField(max_length=60)
    instance = models.PositiveIntegerField(default=1)
    instrument_code = models.CharField(max_length=40)
    definition_version = models.CharField(max_length=20)
    raw = models.JSONField(default=dict, blank=True)  # item code -> the text (a list for multiple choice) typed
    reason = models.TextField(blank=True)
    base_lock_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "participant", "visit_code", "activity_key", "instance"], name="one_draft_per_form"
            ),
        ]

    def __str__(self) -> str:
        return f"draft · {self.participant_id} · {self.visit_code} · {self.activity_key} #{self.instance}"
