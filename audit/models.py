"""The audit trail: one append-only row per change or notable action on study data.

Rows are written only by ``audit.services.audit_record`` and never changed or deleted: ``save()`` of an
existing row and ``delete()`` raise, the admin is read-only, and a database trigger (migration 0002)
refuses UPDATE and DELETE on PostgreSQL and SQLite alike.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEventImmutable(Exception):
    """Raised on any attempt to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    """Bulk writes that would bypass ``AuditEvent.save``/``delete`` are refused too."""

    def update(self, **kwargs):
        raise AuditEventImmutable("audit events are append-only")

    def delete(self):
        raise AuditEventImmutable("audit events are append-only")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditEventImmutable("audit events are append-only")

    update.queryset_only = True
    delete.queryset_only = True


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        COMPLETE = "complete", _("Completed")
        REOPEN = "reopen", _("Reopened")
        VERIFY = "verify", _("Verified")
        LOCK = "lock", _("Locked")
        UNLOCK = "unlock", _("Unlocked")
        SIGN = "sign", _("Signed")
        ALLOCATE = "allocate", _("Allocated")
        UNBLIND = "unblind", _("Unblinded")
        EXPORT = "export", _("Exported")
        IMPORT = "import", _("Imported")
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")

    class Path(models.TextChoices):
        PAGE = "page", _("Page")
        API = "api", _("API")
        IMPORT = "import", _("Import")
        SYSTEM = "system", _("System")
        COMMAND = "command", _("Command")

    # PROTECT everywhere: a study, site, participant or user with audit history cannot be deleted,
    # and SET_NULL would be an UPDATE, which the trigger refuses anyway.
    study = models.ForeignKey("studies.Study", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(
        "participants.Participant", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    object_type = models.CharField(_("object type"), max_length=100)  # "app_label.model"
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=300, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)  # {field: [old, new]}
    # Fields of ``changes`` masked for blinded roles (see audit.blinding).
    sensitive_fields = models.JSONField(default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    path = models.CharField(_("path"), max_length=20, choices=Path.choices, default=Path.PAGE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    request_id = models.CharField(_("request ID"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["study", "at"], name="audit_study_at"),
            models.Index(fields=["participant", "at"], name="audit_participant_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["user", "at"], name="audit_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEventImmutable("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEventImmutable("audit events are append-only")
