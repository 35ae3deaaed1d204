from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import field_text


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
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("study")
        verbose_name_plural = _("studies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code.upper()

    @property
    def display_title(self) -> str:
        """The title in the viewer's language."""
        return field_text(self, "title")


class Site(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="sites", verbose_name=_("study"))
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    id_pattern = models.CharField(_("participant ID pattern"), max_length=100, blank=True)  # blank: the study's

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["study__code", "code"]
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="unique_site_code_per_study")]

    def __str__(self) -> str:
        return f"{self.study} {self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        """The name in the viewer's language."""
        return field_text(self, "name")


class ProtocolVersion(models.Model):
    """One loaded version of a study's protocol file: the text itself and what changed from the previous one.

    The text of the current version is the protocol's one representation: arms, anchors, visits, activities and
    criteria are read from it (``studies.selectors.current_protocol``), never copied into tables. Only the study
    and its sites are rows, because other tables point at them; ``studies.services.protocol_load`` keeps their
    values in step with the file.
    """

    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, related_name="protocol_versions", verbose_name=_("study")
    )
    version = models.CharField(_("version"), max_length=40)
    version_date = models.DateField(_("version date"), null=True, blank=True)
    filename = models.CharField(_("file name"), max_length=255)
    text = models.TextField(_("protocol file"))
    checksum = models.CharField(max_length=64, verbose_name=_("checksum"))
    changes = models.JSONField(_("changes"), default=list, blank=True)
    is_current = models.BooleanField(default=True, verbose_name=_("is current"))
    loaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("loaded at"))
    loaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("loaded by")
    )

    class Meta:
        verbose_name = _("protocol version")
        verbose_name_plural = _("protocol versions")
        ordering = ["study", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["study", "version"], name="unique_protocol_version"),
            models.UniqueConstraint(
                fields=["study"], condition=models.Q(is_current=True), name="one_current_protocol_per_study"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.study} v{self.version}"
