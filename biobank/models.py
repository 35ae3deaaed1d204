"""Specimens, their lineage and their storage (docs/biobank.md).

A specimen's type code comes from the study's protocol (studies.protocol.specimens) and is stored as a string, like
visit codes. The specimen ID is made from the protocol's pattern (study, type prefix, sequence): it says nothing
about the participant. Specimens are never deleted: a specimen is disposed of (or consumed), and the database
refuses to delete one that has aliquots (PROTECT).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Freezer(models.Model):
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="freezers", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=80)
    temperature_c = models.SmallIntegerField(_("temperature (°C)"))

    class Meta:
        verbose_name = _("freezer")
        verbose_name_plural = _("freezers")
        ordering = ["site", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="unique_freezer_name_per_site")]

    def __str__(self) -> str:
        return self.name


class Rack(models.Model):
    freezer = models.ForeignKey(Freezer, on_delete=models.PROTECT, related_name="racks", verbose_name=_("freezer"))
    name = models.CharField(_("shelf or rack"), max_length=80)

    class Meta:
        verbose_name = _("rack")
        verbose_name_plural = _("racks")
        ordering = ["freezer", "name"]
        constraints = [models.UniqueConstraint(fields=["freezer", "name"], name="unique_rack_name_per_freezer")]

    def __str__(self) -> str:
        return f"{self.freezer} / {self.name}"


class Box(models.Model):
    MAX_SIDE = 26  # rows are letters A-Z

    rack = models.ForeignKey(Rack, on_delete=models.PROTECT, related_name="boxes", verbose_name=_("rack"))
    name = models.CharField(_("box"), max_length=80)
    rows = models.PositiveSmallIntegerField(_("rows"))
    cols = models.PositiveSmallIntegerField(_("columns"))

    class Meta:
        verbose_name = _("box")
        verbose_name_plural = _("boxes")
        ordering = ["rack", "name"]
        constraints = [
            models.UniqueConstraint(fields=["rack", "name"], name="unique_box_name_per_rack"),
            models.CheckConstraint(
                condition=Q(rows__gte=1, rows__lte=26, cols__gte=1, cols__lte=26), name="box_grid_in_bounds"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rack} / {self.name}"


class Specimen(models.Model):
    class Status(models.TextChoices):
        NOT_COLLECTED = "not_collected", _("Not collected")
        COLLECTED = "collected", _("Collected")
        STORED = "stored", _("Stored")
        CHECKED_OUT = "checked_out", _("Checked out")
        SHIPPED = "shipped", _("Shipped")
        DISPENSED = "dispensed", _("Dispensed")
        CONSUMED = "consumed", _("Consumed")
        DISPOSED = "disposed", _("Disposed of")

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+", verbose_name=_("study"))
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="specimens", verbose_name=_("participant")
    )
    visit = models.ForeignKey(
        "participants.Visit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="specimens",
        verbose_name=_("visit"),
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("made from")
    )
    type_code = models.CharField(_("type"), max_length=64)
    activity_key = models.CharField(_("activity"), max_length=64, blank=True)  # which of the visit's specimens
    seq = models.PositiveIntegerField(verbose_name=_("seq"))
    label_id = models.CharField(_("specimen ID"), max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    not_collected_reason = models.TextField(_("reason not collected"), blank=True)
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("collected by"),
    )
    tube_id = models.CharField(_("tube or container ID"), max_length=64, blank=True)
    volume_ml = models.DecimalField(_("volume (mL)"), max_digits=8, decimal_places=3, null=True, blank=True)
    fasting = models.BooleanField(_("fasting"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    centrifuged_at = models.DateTimeField(_("centrifuged at"), null=True, blank=True)
    centrifuge_g = models.PositiveIntegerField(_("centrifugation speed (g)"), null=True, blank=True)
    centrifuge_minutes = models.PositiveSmallIntegerField(_("centrifugation time (min)"), null=True, blank=True)
    centrifuge_temperature_c = models.SmallIntegerField(_("centrifugation temperature (°C)"), null=True, blank=True)
    centrifuge_braking = models.BooleanField(_("brake on"), default=True)
    kept_cold = models.BooleanField(_("kept at 2-10 °C before freezing"), default=False)
    aliquoted_at = models.DateTimeField(_("aliquoted at"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    storage_temperature_c = models.SmallIntegerField(_("storage temperature (°C)"), null=True, blank=True)
    # Minutes past the protocol's limits (0: within; None: no limit or not recorded), set by the service.
    centrifuge_minutes_over = models.PositiveIntegerField(_("minutes over the centrifugation limit"), null=True)
    freeze_minutes_over = models.PositiveIntegerField(_("minutes over the freezing limit"), null=True)
    sprec = models.CharField(_("SPREC"), max_length=40, blank=True, db_index=True)
    freeze_thaw_cycles = models.PositiveSmallIntegerField(_("freeze-thaw cycles"), default=0)
    disposal_reason = models.TextField(_("disposal reason"), blank=True)
    disposed_at = models.DateTimeField(_("disposed of at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("specimen")
        verbose_name_plural = _("specimens")
        ordering = ["study", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["study", "seq"], name="unique_specimen_seq_per_study"),
            models.CheckConstraint(
                condition=Q(volume_ml__gte=0) | Q(volume_ml__isnull=True), name="volume_not_negative"
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="specimen_not_its_own_parent"),
        ]

    def __str__(self) -> str:
        return self.label_id

    @property
    def is_over_limit(self) -> bool:
        return bool(self.centrifuge_minutes_over or self.freeze_minutes_over)


class Position(models.Model):
    """Where a specimen is: one cell of a box grid. Two specimens never share a cell (a database constraint)."""

    box = models.ForeignKey(Box, on_delete=models.PROTECT, related_name="positions", verbose_name=_("box"))
    row = models.PositiveSmallIntegerField(_("row"))
    col = models.PositiveSmallIntegerField(_("column"))
    specimen = models.OneToOneField(
        Specimen, on_delete=models.PROTECT, related_name="position", verbose_name=_("specimen")
    )
    placed_at = models.DateTimeField(auto_now=True, verbose_name=_("placed at"))

    class Meta:
        verbose_name = _("box position")
        verbose_name_plural = _("box positions")
        ordering = ["box", "row", "col"]
        constraints = [
            models.UniqueConstraint(fields=["box", "row", "col"], name="one_specimen_per_position"),
            models.CheckConstraint(condition=Q(row__gte=1, col__gte=1), name="position_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.box} {self.label}"

    @property
    def label(self) -> str:
        return f"{chr(64 + self.row)}{self.col}"


class ConsentUse(models.Model):
    """What the participant's consent allows their specimens to be used for (one row per participant; absent:
    nothing recorded, so no transfer abroad)."""

    participant = models.OneToOneField(
        "participants.Participant", on_delete=models.PROTECT, related_name="+", verbose_name=_("participant")
    )
    allows_transfer = models.BooleanField(_("transfer to other institutions"), default=False)
    allows_genetic = models.BooleanField(_("genetic analysis"), default=False)
    allows_future_research = models.BooleanField(_("future research"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("consented specimen use")
        verbose_name_plural = _("consented specimen uses")

    def __str__(self) -> str:
        return f"{self.participant} consent uses"


class Shipment(models.Model):
    """A consignment of specimens from one site to a destination; abroad, it needs an export approval."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        SHIPPED = "shipped", _("Shipped")
        RECEIVED = "received", _("Received")

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+", verbose_name=_("study"))
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    destination = models.CharField(_("destination"), max_length=200)
    abroad = models.BooleanField(_("outside the country"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    approval_reference = models.CharField(_("export approval reference"), max_length=100, blank=True)
    approval_date = models.DateField(_("export approval date"), null=True, blank=True)
    approval_scope = models.TextField(_("export approval scope"), blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    shipped_temperature_c = models.SmallIntegerField(_("shipping temperature (°C)"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_temperature_c = models.SmallIntegerField(_("temperature on arrival (°C)"), null=True, blank=True)
    received_condition = models.TextField(_("condition on arrival"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} → {self.destination}"

    @property
    def has_approval(self) -> bool:
        return bool(self.approval_reference and self.approval_date)


class ShipmentItem(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="items", verbose_name=_("shipment"))
    specimen = models.ForeignKey(
        Specimen, on_delete=models.PROTECT, related_name="shipment_items", verbose_name=_("specimen")
    )

    class Meta:
        verbose_name = _("shipped specimen")
        verbose_name_plural = _("shipped specimens")
        ordering = ["shipment", "specimen__seq"]
        constraints = [models.UniqueConstraint(fields=["shipment", "specimen"], name="specimen_once_per_shipment")]

    def __str__(self) -> str:
        return f"{self.shipment} {self.specimen}"


class ProductRelease(models.Model):
    """The release testing of one cell-product lot: the results as recorded and the outcome per criterion."""

    specimen = models.OneToOneField(
        Specimen, on_delete=models.PROTECT, related_name="release", verbose_name=_("specimen")
    )
    lot = models.CharField(_("lot"), max_length=64)
    passage = models.PositiveSmallIntegerField(_("passage"), null=True, blank=True)
    cells_per_ml = models.FloatField(_("cells per mL"), null=True, blank=True)
    results = models.JSONField(_("results"), default=dict)  # criterion code -> recorded text
    outcomes = models.JSONField(_("outcomes"), default=list)  # [{code, passed, value}]
    released = models.BooleanField(_("released"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(auto_now=True, verbose_name=_("recorded at"))

    class Meta:
        verbose_name = _("product release")
        verbose_name_plural = _("product releases")

    def __str__(self) -> str:
        return f"{self.specimen} lot {self.lot}"


class Dispense(models.Model):
    """A released cell product given at the participant's transplantation visit."""

    specimen = models.OneToOneField(
        Specimen, on_delete=models.PROTECT, related_name="dispense", verbose_name=_("specimen")
    )
    visit = models.ForeignKey("participants.Visit", on_delete=models.PROTECT, related_name="+", verbose_name=_("visit"))
    transport_temperature_c = models.SmallIntegerField(_("transport temperature (°C)"))
    dispensed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dispensed by")
    )
    dispensed_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dispensed at"))

    class Meta:
        verbose_name = _("dispensing")
        verbose_name_plural = _("dispensings")

    def __str__(self) -> str:
        return f"{self.specimen} → {self.visit}"


class AssayResult(models.Model):
    """One analyte measured in one specimen in one run (imported from the lab's CSV, biobank.assays)."""

    specimen = models.ForeignKey(
        Specimen, on_delete=models.PROTECT, related_name="assay_results", verbose_name=_("specimen")
    )
    analyte = models.CharField(_("analyte"), max_length=64)
    value = models.FloatField(_("value"))
    unit = models.CharField(_("unit"), max_length=64, blank=True)
    lower_limit = models.FloatField(_("lower limit of detection"), null=True, blank=True)
    run = models.CharField(_("run or plate"), max_length=64)
    measured_on = models.DateField(_("measured on"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("imported by")
    )
    imported_at = models.DateTimeField(auto_now_add=True, verbose_name=_("imported at"))

    class Meta:
        verbose_name = _("assay result")
        verbose_name_plural = _("assay results")
        ordering = ["specimen", "analyte", "run"]
        constraints = [
            models.UniqueConstraint(fields=["specimen", "analyte", "run"], name="one_result_per_analyte_and_run")
        ]

    def __str__(self) -> str:
        return f"{self.specimen} {self.analyte} {self.value} {self.unit}"
