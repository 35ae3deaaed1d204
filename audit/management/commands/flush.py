"""Django's ``flush``, able to empty the append-only audit table on SQLite (see audit/db.py).

Test runs call ``flush`` between transactional tests; on PostgreSQL it is a TRUNCATE, which the
row trigger does not see, and on SQLite it is a DELETE that the trigger would refuse.
"""

from django.core.management.commands.flush import Command as DjangoFlush

from audit.db import flushing


class Command(DjangoFlush):
    def handle(self, **options):
        with flushing():
            return super().handle(**options)
