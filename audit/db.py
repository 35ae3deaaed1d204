"""Lets Django's own ``flush`` empty the append-only audit table on SQLite, and nothing else.

Migration 0002 makes the database refuse UPDATE and DELETE on audit events. On PostgreSQL ``flush`` is a
TRUNCATE, which row triggers do not see: migration 0003 adds a statement trigger refusing it unless the
session set ``audit.allow_flush`` (only ``flushing`` does, around audit's flush command).
SQLite has no TRUNCATE: ``flush`` (run between transactional
tests) is ``DELETE FROM`` on every table, so the SQLite DELETE trigger asks ``audit_guard()``, an SQL
function registered here on every connection Django opens. It answers 1 (refuse) except in a thread
running audit's ``flush`` command. A connection that is not Django's (the sqlite3 shell) has no such
function, so its DELETE fails as well.
"""

import threading

_flush = threading.local()


def _guard() -> int:
    return 0 if getattr(_flush, "active", False) else 1


def register_sqlite_guard(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("audit_guard", 0, _guard)


class flushing:
    """Lets audit's ``flush`` empty the table: ``DELETE FROM`` through the SQLite trigger in this thread, and on
    PostgreSQL ``TRUNCATE`` through the statement trigger (migration 0003) for this session only."""

    def __init__(self, connection=None):
        self.connection = connection

    def __enter__(self):
        _flush.active = True
        if self.connection is not None and self.connection.vendor == "postgresql":
            with self.connection.cursor() as cursor:
                cursor.execute("SET audit.allow_flush = 'on'")

    def __exit__(self, *exc):
        _flush.active = False
        if self.connection is not None and self.connection.vendor == "postgresql":
            with self.connection.cursor() as cursor:
                cursor.execute("RESET audit.allow_flush")
