"""Celery tasks of the surveys app: thin, they call the service."""

from celery import shared_task

from .reminders import reminders_send


@shared_task(name="surveys.tasks.reminders_send_task", soft_time_limit=540, time_limit=600)
def reminders_send_task() -> dict[str, int]:
    """Beat runs it every 15 minutes; each run sends only what no run has sent (surveys.reminders)."""
    return reminders_send()
