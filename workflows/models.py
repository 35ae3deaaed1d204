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

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The uploader's sites when the file came (empty: all sites): who else may see the job's per-row report.
    site_ids = models.JSONField(default=list, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    csv_text = models.TextField(blank=True)  # the stored upload; emptied once the job has run
    complete = models.BooleanField(default=True)
    reason = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=10, blank=True)  # the uploader's: the per-row messages are in it
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)  # {"problem": str, "saved": int, "rows": [...]}
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
