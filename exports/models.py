"""An export job (one file of a study's CRF data in one format) and the per-study pseudonyms exports carry."""

from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataExport(models.Model):
    """One export: who asked, with which choices, how far it got, and the file it wrote.

    ``filters`` keeps the choices (sites, visits, instruments) as codes; ``sites``/``all_sites`` copy the
    requester's site scope at the time of the request, so the file holds only participants they could see.
    The file lives in the file storage (core.storage; never under a URL: the download view checks access)
    until ``expires_at``.
    """

    class Format(models.TextChoices):
        CSV_WIDE = "csv_wide", _("CSV, one row per participant-visit")
        CSV_PARTICIPANT = "csv_participant", _("CSV, one row per participant")
        CSV_LONG = "csv_long", _("CSV, long (one row per item)")
        XLSX = "xlsx", _("Excel (.xlsx) with a codebook sheet")
        SAV = "sav", _("SPSS (.sav)")
        DTA = "dta", _("Stata (.dta)")
        PARQUET = "parquet", _("Parquet")
        DICTIONARY = "dictionary", _("Data dictionary (REDCap CSV)")
        XPT = "xpt", _("SAS transport (.xpt v5) with a SAS program for formats (.zip)")
        ODM132 = "odm132", _("CDISC ODM 1.3.2 (XML)")
        ODM2 = "odm2", _("CDISC ODM 2.0 (XML)")
        DATASETJSON = "datasetjson", _("CDISC Dataset-JSON v1.1, one dataset per instrument (.zip)")
        CODEBOOK = "codebook", _("Codebook (HTML)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+", verbose_name=_("study"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    deidentified = models.BooleanField(_("de-identified"), default=True)
    free_text = models.BooleanField(_("free text included"), default=False)
    arms = models.BooleanField(_("arms included"), default=False)
    all_sites = models.BooleanField(_("all sites"), default=False)
    sites = models.ManyToManyField("studies.Site", blank=True, related_name="+", verbose_name=_("sites"))
    filters = models.JSONField(_("choices"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    columns = models.PositiveIntegerField(_("columns"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    file_path = models.CharField(
        max_length=500, blank=True, verbose_name=_("file path")
    )  # name in the file storage (core.storage)
    file_size = models.BigIntegerField(_("size (bytes)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(max_length=64, blank=True, verbose_name=_("task ID"))
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Data export #{self.pk} ({self.format}, {self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)


class Pseudonym(models.Model):
    """The participant's label in de-identified exports: random, drawn once, unique in the study.

    Not derived from the study ID (which staff and DICOM/EDF copies carry): a de-identified file alone cannot be
    linked back to a casebook; only this table, read by the export, holds the link.
    """

    participant = models.OneToOneField(
        "participants.Participant", on_delete=models.PROTECT, related_name="+", verbose_name=_("participant")
    )
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+", verbose_name=_("study"))
    code = models.CharField(max_length=20, verbose_name=_("code"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("pseudonym")
        verbose_name_plural = _("pseudonyms")
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="one_pseudonym_code_per_study")]

    def __str__(self) -> str:
        return f"pseudonym #{self.pk}"


class SavedExport(models.Model):
    """A user's named choice on the export builder (format, sites, visits, instruments, identified, free text),
    kept to be opened and run again. Each user's own, per study: ``choices`` are the builder's fields as codes,
    so opening one re-checks them against what the user may choose now."""

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="+", verbose_name=_("study"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=80)
    choices = models.JSONField(_("choices"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("saved export")
        verbose_name_plural = _("saved exports")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["study", "owner", "name"], name="one_saved_export_name")]

    def __str__(self) -> str:
        return f"saved export #{self.pk}"

    @property
    def querystring(self) -> str:
        """The builder's GET query that reopens this choice (counted, ready to run)."""
        return urlencode(self.choices, doseq=True)
