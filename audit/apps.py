from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from django.db.backends.signals import connection_created

        from .db import register_sqlite_guard

        # Infrastructure, not domain logic: gives SQLite connections the function the
        # append-only trigger calls (see audit/db.py).
        connection_created.connect(register_sqlite_guard, dispatch_uid="audit_sqlite_guard")
