"""Tasks that prove the worker is alive. Domain tasks live in their apps."""

from celery import shared_task
from django.db import connection
from django.utils import timezone


@shared_task(name="core.tasks.ping", soft_time_limit=10, time_limit=20)
def ping(payload: str) -> dict:
    """Echo ``payload`` with the worker's clock: used by the health test and ops."""
    return {"pong": payload, "at": timezone.now().isoformat()}


@shared_task(name="core.tasks.heartbeat", soft_time_limit=10, time_limit=20)
def heartbeat() -> bool:
    """Scheduled by beat: checks the worker can reach the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0] == 1
