"""Lets Django's own ``flush`` empty the append-only audit table on SQLite, and nothing else.

Migration 0002 makes the database refuse UPDATE and DELETE on audit events. On PostgreSQL ``flush`` is a
TRUNCATE, which row triggers do not see. SQLite has no TRUNCATE: ``flush`` (run between transactional
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
    """Lets ``DELETE FROM`` through the SQLite trigger in this thread while the flush command runs."""

    def __enter__(self):
        _flush.active = True

    def __exit__(self, *exc):
        _flush.active = False
