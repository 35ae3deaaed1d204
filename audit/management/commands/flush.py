"""Django's ``flush``, able to empty the append-only audit table on SQLite (see audit/db.py).

Test runs call ``flush`` between transactional tests; on PostgreSQL it is a TRUNCATE, which the statement
trigger of migration 0003 refuses unless this command allows it for its session, and on SQLite it is a DELETE
that the row trigger would refuse.
"""

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections

from audit.db import flushing


class Command(DjangoFlush):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        with flushing(connection):
            return super().handle(**options)
