"""Data queries: a question about a form or one of its fields, raised by a monitor, a data manager or a
data-quality rule of the protocol, answered by site staff and closed by the raiser.

The target is named by its object type and id (an ``instruments.response``, or a ``participants.visit``
for a rule on visit dates) plus the visit, activity and item codes, so a query survives whatever happens
to the row it points at.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import field_text


class Query(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    class Origin(models.TextChoices):
        MANUAL = "manual", _("Raised by a person")
        RULE = "rule", _("Data-quality rule")
        OVERRIDE = "override", _("Warning confirmed with a reason")

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+", verbose_name=_("study"))
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="queries", verbose_name=_("participant")
    )
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    visit_code = models.CharField(_("visit"), max_length=64, blank=True)
    activity_key = models.CharField(_("form"), max_length=60, blank=True)
    item_code = models.CharField(_("field"), max_length=80, blank=True)
    text = models.TextField(_("query"))
    text_zh = models.TextField(blank=True, verbose_name=_("text zh"))  # rule queries: the protocol's Chinese message
    detail = models.CharField(_("detail"), max_length=300, blank=True)  # rule queries: the value found
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices, default=Origin.MANUAL)
    rule_code = models.CharField(_("rule"), max_length=64, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("raised by"),
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    assigned_role = models.CharField(_("assigned to"), max_length=32, default="coordinator")
    # A rule query closed by the system is reopened when the data break the rule again; one a reviewer
    # closed (the value was confirmed) stays closed.
    auto_closed = models.BooleanField(default=False, verbose_name=_("auto closed"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("data query")
        verbose_name_plural = _("data queries")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            # One automatic query per rule and target, ever: a rule broken again reopens it.
            models.UniqueConstraint(
                fields=["participant", "rule_code", "object_type", "object_id"],
                condition=models.Q(origin="rule"),
                name="one_rule_query_per_target",
            ),
        ]
        indexes = [models.Index(fields=["study", "status"], name="query_study_status")]

    def __str__(self) -> str:
        return f"Query #{self.pk} · {self.participant} · {self.visit_code} {self.activity_key} {self.item_code}"

    @property
    def display_text(self) -> str:
        return field_text(self, "text")

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class QueryMessage(models.Model):
    """One entry of a query's thread; ``author`` None is the system (a rule)."""

    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="messages", verbose_name=_("query"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("message"), blank=True)
    status_from = models.CharField(
        max_length=20, choices=Query.Status.choices, blank=True, verbose_name=_("status from")
    )
    status_to = models.CharField(max_length=20, choices=Query.Status.choices, blank=True, verbose_name=_("status to"))
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("at"))

    class Meta:
        verbose_name = _("query message")
        verbose_name_plural = _("query messages")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.query_id} {self.status_from}->{self.status_to}"
