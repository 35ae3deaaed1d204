"""Acquired files (MRI, PSG, EMG, HRV), the jobs that ingest them, DICOM series and derived measures.

Only de-identified copies are stored. The upload itself waits in a staging folder until its job succeeds, so a
failed job can be retried; identifying header fields never reach the database except the source patient ID of
a file still waiting to be linked (needed to link it by hand, cleared when it is linked).
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DICOM = "dicom", _("MRI (DICOM)")
    PSG = "psg", _("Polysomnography (EDF)")
    EMG = "emg", _("EMG")
    HRV = "hrv", _("HRV (ECG)")


def datafile_path(instance, filename: str) -> str:
    return f"imaging/{instance.study.code}/{instance.sha256[:2]}/{instance.sha256}/{filename}"


class DicomSeries(models.Model):
    """One MRI series of a study: the files whose (de-identified) SeriesInstanceUID is ``series_uid``."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+", verbose_name=_("study"))
    study_uid = models.CharField(_("study UID"), max_length=64)
    series_uid = models.CharField(_("series UID"), max_length=64)
    series_number = models.IntegerField(_("series number"), null=True, blank=True)
    label = models.CharField(_("label"), max_length=80, default="unknown")
    description = models.CharField(_("description"), max_length=200, blank=True)
    modality = models.CharField(_("modality"), max_length=16, blank=True)
    repetition_time_ms = models.FloatField(_("TR (ms)"), null=True, blank=True)
    echo_time_ms = models.FloatField(_("TE (ms)"), null=True, blank=True)
    slice_thickness_mm = models.FloatField(_("slice thickness (mm)"), null=True, blank=True)
    instance_count = models.PositiveIntegerField(_("files"), default=0)
    slice_count = models.PositiveIntegerField(_("slices"), default=0)
    volume_count = models.PositiveIntegerField(_("volumes"), default=0)
    acquisition_date = models.DateField(_("acquisition date"), null=True, blank=True)
    preview_png = models.BinaryField(_("preview"), blank=True, default=b"")  # a few kB: kept with the row
    preview_source = models.CharField(
        max_length=64, blank=True, verbose_name=_("preview source")
    )  # SOP UID the preview was made from
    software = models.JSONField(default=dict, blank=True, verbose_name=_("software"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("DICOM series")
        verbose_name_plural = _("DICOM series")
        ordering = ["study", "acquisition_date", "series_number", "pk"]
        constraints = [models.UniqueConstraint(fields=["study", "series_uid"], name="one_series_per_study_uid")]

    def __str__(self) -> str:
        return f"{self.label} ({self.description or self.series_uid})"


class DataFile(models.Model):
    class LinkStatus(models.TextChoices):
        LINKED = "linked", _("Linked")
        NEEDS_LINKING = "needs_linking", _("Needs linking")

    study = models.ForeignKey(
        "studies.Study", on_delete=models.PROTECT, related_name="data_files", verbose_name=_("study")
    )
    participant = models.ForeignKey(
        "participants.Participant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="data_files",
        verbose_name=_("participant"),
    )
    visit = models.ForeignKey(
        "participants.Visit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="data_files",
        verbose_name=_("visit"),
    )
    visit_code = models.CharField(_("visit"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    original_name = models.CharField(_("original name"), max_length=255)
    file = models.FileField(_("stored file"), upload_to=datafile_path, max_length=255)
    deidentified = models.BooleanField(_("de-identified"), default=False)
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256"))
    size = models.BigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    link_status = models.CharField(
        _("link status"), max_length=16, choices=LinkStatus.choices, default=LinkStatus.NEEDS_LINKING
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    out_of_window = models.BooleanField(_("outside the visit window"), default=False)
    series = models.ForeignKey(
        DicomSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="files", verbose_name=_("series")
    )
    metadata = models.JSONField(_("metadata"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("data file")
        verbose_name_plural = _("data files")
        ordering = ["-uploaded_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["study", "sha256"], name="one_datafile_per_checksum")]
        indexes = [models.Index(fields=["study", "link_status"])]

    def __str__(self) -> str:
        return self.original_name


class IngestJob(models.Model):
    """One uploaded file on its way in. A second upload of the same bytes gets a job pointing at the first file."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+", verbose_name=_("study"))
    data_file = models.ForeignKey(
        DataFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs", verbose_name=_("data file")
    )
    original_name = models.CharField(_("file name"), max_length=255)
    staged_path = models.CharField(
        max_length=500, blank=True, verbose_name=_("staged path")
    )  # name in the file storage; emptied when done
    kind_requested = models.CharField(_("kind"), max_length=8, choices=Kind.choices, blank=True)
    participant = models.ForeignKey(  # chosen at upload; null: link from the file's patient ID
        "participants.Participant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("participant"),
    )
    visit = models.ForeignKey(
        "participants.Visit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("visit"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    steps_done = models.JSONField(default=list, blank=True, verbose_name=_("steps done"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    log = models.TextField(_("log"), blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    task_id = models.CharField(max_length=64, blank=True, verbose_name=_("task ID"))
    sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("SHA-256"))
    size = models.BigIntegerField(null=True, blank=True, verbose_name=_("size"))
    duplicate = models.BooleanField(_("already received"), default=False)
    details = models.JSONField(
        default=dict, blank=True, encoder=DjangoJSONEncoder, verbose_name=_("details")
    )  # parse results between steps

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["study", "status"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class DerivedMeasure(models.Model):
    data_file = models.ForeignKey(
        DataFile, on_delete=models.CASCADE, related_name="measures", verbose_name=_("data file")
    )
    participant = models.ForeignKey(
        "participants.Participant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("participant"),
    )
    visit_code = models.CharField(_("visit"), max_length=64, blank=True)
    name = models.CharField(_("measure"), max_length=80)
    value = models.FloatField(_("value"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    software = models.JSONField(_("software"), default=dict)
    is_estimate = models.BooleanField(_("estimate"), default=False)
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("derived measure")
        verbose_name_plural = _("derived measures")
        ordering = ["data_file", "name"]
        constraints = [models.UniqueConstraint(fields=["data_file", "name"], name="one_value_per_measure_and_file")]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class DateShift(models.Model):
    """The participant's secret date offset for stored copies (PS3.15 Modified Dates Option).

    Drawn once with ``secrets``; never shown on a page, in the admin or in an export: knowing it undoes the
    shift. Only imaging.services.dates reads it.
    """

    participant = models.OneToOneField(
        "participants.Participant", on_delete=models.PROTECT, related_name="+", verbose_name=_("participant")
    )
    days = models.SmallIntegerField(verbose_name=_("days"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("date shift")
        verbose_name_plural = _("date shifts")

    def __str__(self) -> str:
        return f"date shift #{self.pk}"  # never the value


def export_path(export_id: int, study_code: str) -> str:
    """Where an export's zip lives, in the file storage (never under a URL: the download view checks access)."""
    return f"exports/imaging/{study_code}/bids-{study_code}-{export_id}.zip"


class ImagingExport(models.Model):
    """One BIDS export of a study's MRI: who asked, what it covered, and the zip it wrote.

    ``sites``/``all_sites`` copy the requester's scope at the time of the request: the zip holds only their
    participants, so only users who may see all of those sites may download it. Deleting an export removes its zip
    and keeps the row (status "deleted", who and when; ``deleted_by`` empty: expired by the nightly sweep).
    ``log_entries``/``error_entry`` keep the log and error as message templates with their parameters, so each page
    shows them in its reader's language; ``log``/``error`` hold the same text in English.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        DELETED = "deleted", _("Deleted")

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+", verbose_name=_("study"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    all_sites = models.BooleanField(_("all sites"), default=False)
    sites = models.ManyToManyField("studies.Site", blank=True, related_name="+", verbose_name=_("sites"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    log = models.TextField(_("log"), blank=True)
    error = models.TextField(_("error"), blank=True)
    log_entries = models.JSONField(
        default=list, blank=True, verbose_name=_("log entries")
    )  # [{"msgid", "params"}], see services.bids.message
    error_entry = models.JSONField(default=dict, blank=True, verbose_name=_("error entry"))
    zip_path = models.CharField(max_length=500, blank=True, verbose_name=_("zip path"))  # name in the file storage
    zip_size = models.BigIntegerField(_("size (bytes)"), null=True, blank=True)
    subjects = models.PositiveIntegerField(_("participants"), default=0)
    series_exported = models.PositiveIntegerField(_("series exported"), default=0)
    series_failed = models.PositiveIntegerField(_("series failed"), default=0)
    series_left_out = models.PositiveIntegerField(_("series left out"), default=0)
    task_id = models.CharField(max_length=64, blank=True, verbose_name=_("task ID"))
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("deleted by"),
    )

    class Meta:
        verbose_name = _("BIDS export")
        verbose_name_plural = _("BIDS exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"BIDS export #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.DELETED)
