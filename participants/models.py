from django.db import models
from django.utils.translation import gettext_lazy as _


class Participant(models.Model):
    """A person in one study at one site, known in study data only by ``identifier`` (the study ID)."""

    class Status(models.TextChoices):
        SCREENING = "screening", _("Screening")
        SCREEN_FAILED = "screen_failed", _("Screen failure")
        ENROLLED = "enrolled", _("Enrolled")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        COMPLETED = "completed", _("Completed")

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="participants")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="participants")
    identifier = models.CharField(_("study ID"), max_length=40)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SCREENING)
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["identifier"]
        constraints = [
            models.UniqueConstraint(fields=["study", "identifier"], name="unique_identifier_per_study"),
        ]

    def __str__(self) -> str:
        return self.identifier
