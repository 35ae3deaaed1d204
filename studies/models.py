from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Study(models.Model):
    class Design(models.TextChoices):
        OBSERVATIONAL = "observational", _("Observational")
        RANDOMISED = "randomised", _("Randomised")

    class Blinding(models.TextChoices):
        NONE = "none", _("Open")
        SINGLE = "single", _("Single blind")
        DOUBLE = "double", _("Double blind")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=300)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)
    design = models.CharField(_("design"), max_length=20, choices=Design.choices, default=Design.OBSERVATIONAL)
    blinding = models.CharField(_("blinding"), max_length=10, choices=Blinding.choices, default=Blinding.NONE)
    target_enrolment = models.PositiveIntegerField(_("target enrolment"), default=0)
    # Loaded from the protocol file (studies.services.protocol_load); blank for a study made by hand.
    registry = models.JSONField(_("registry numbers"), default=list, blank=True)  # [{"registry", "id"}]
    sponsor = models.CharField(_("sponsor"), max_length=300, blank=True)
    sponsor_zh = models.CharField(_("sponsor (Chinese)"), max_length=300, blank=True)
    protocol_version = models.CharField(_("protocol version"), max_length=40, blank=True)
    protocol_date = models.DateField(_("protocol date"), null=True, blank=True)
    id_pattern = models.CharField(_("participant ID pattern"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "studies"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code.upper()


class Site(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="sites")
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    id_pattern = models.CharField(_("participant ID pattern"), max_length=100, blank=True)  # blank: the study's

    class Meta:
        ordering = ["study__code", "code"]
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="unique_site_code_per_study")]

    def __str__(self) -> str:
        return f"{self.study} {self.code} {self.name}"


class ProtocolVersion(models.Model):
    """One loaded version of a study's protocol file: the text itself and what changed from the previous one."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="protocol_versions")
    version = models.CharField(_("version"), max_length=40)
    version_date = models.DateField(_("version date"), null=True, blank=True)
    filename = models.CharField(_("file name"), max_length=255)
    text = models.TextField(_("protocol file"))
    checksum = models.CharField(max_length=64)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    is_current = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["study", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["study", "version"], name="unique_protocol_version"),
            models.UniqueConstraint(
                fields=["study"], condition=models.Q(is_current=True), name="one_current_protocol_per_study"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.study} v{self.version}"


class Arm(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="arms")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=300)
    name_zh = models.CharField(_("name (Chinese)"), max_length=300, blank=True)
    ratio = models.PositiveIntegerField(_("allocation ratio"), null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("in the current protocol"), default=True)

    class Meta:
        ordering = ["study", "order"]
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="unique_arm_code_per_study")]

    def __str__(self) -> str:
        return f"{self.study} {self.code}"


class Anchor(models.Model):
    """A named date visits hang from (enrolment, start of treatment, a procedure)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="anchors")
    code = models.CharField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=300)
    label_zh = models.CharField(_("label (Chinese)"), max_length=300, blank=True)
    optional = models.BooleanField(pgettext_lazy("anchor date", "optional"), default=False)
    expected_anchor = models.CharField(_("expected after anchor"), max_length=40, blank=True)
    expected_offset_days = models.IntegerField(_("expected after (days)"), null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("in the current protocol"), default=True)

    class Meta:
        ordering = ["study", "order"]
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="unique_anchor_code_per_study")]

    def __str__(self) -> str:
        return f"{self.study} {self.code}"


class VisitDefinition(models.Model):
    """A visit of the schedule. Never deleted: a visit dropped by an amendment becomes inactive."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="visit_definitions")
    code = models.CharField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=300)
    label_zh = models.CharField(_("label (Chinese)"), max_length=300, blank=True)
    anchor = models.CharField(_("anchor"), max_length=40)
    offset_days = models.IntegerField(_("days after the anchor"))
    window_before = models.PositiveIntegerField(_("window before (days)"))
    window_after = models.PositiveIntegerField(_("window after (days)"))
    arms = models.JSONField(_("arms"), default=list, blank=True)  # arm codes; empty: every arm
    repeat_every_days = models.PositiveIntegerField(_("repeats every (days)"), null=True, blank=True)
    repeat_count = models.PositiveIntegerField(_("number of repeats"), null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("in the current protocol"), default=True)

    class Meta:
        ordering = ["study", "order"]
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="unique_visit_code_per_study")]

    def __str__(self) -> str:
        return f"{self.study} {self.code}"


class Activity(models.Model):
    """One thing done at a visit: an instrument, a specimen or an acquisition."""

    class Kind(models.TextChoices):
        INSTRUMENT = "instrument", _("Instrument")
        SPECIMEN = "specimen", _("Specimen")
        ACQUISITION = "acquisition", _("Acquisition")

    visit = models.ForeignKey(VisitDefinition, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=40)
    key = models.CharField(_("key"), max_length=60)  # unique within the visit; defaults to the code
    version = models.CharField(_("version"), max_length=20, blank=True)
    respondent = models.CharField(_("respondent"), max_length=20, blank=True)
    arms = models.JSONField(_("arms"), default=list, blank=True)
    series = models.JSONField(_("series"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    notes_zh = models.TextField(_("notes (Chinese)"), blank=True)
    order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("in the current protocol"), default=True)

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["visit", "order"]
        constraints = [models.UniqueConstraint(fields=["visit", "key"], name="unique_activity_key_per_visit")]

    def __str__(self) -> str:
        return f"{self.visit} {self.key}"


class Criterion(models.Model):
    class Kind(models.TextChoices):
        INCLUSION = "inclusion", _("Inclusion")
        EXCLUSION = "exclusion", _("Exclusion")

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("code"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"))
    text_zh = models.TextField(_("text (Chinese)"), blank=True)
    rule = models.JSONField(_("rule"), null=True, blank=True)  # as in the file; null: a yes/no answer
    order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("in the current protocol"), default=True)

    class Meta:
        verbose_name_plural = "criteria"
        ordering = ["study", "order"]
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="unique_criterion_code_per_study")]

    def __str__(self) -> str:
        return f"{self.study} {self.code}"
