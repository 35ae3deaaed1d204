"""Thin Celery tasks: one service call each."""

from celery import shared_task
from django.db import OperationalError

from .services import sae_deadlines_notify


@shared_task(
    name="safety.tasks.sae_deadlines_check",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=120,
    time_limit=180,
)
def sae_deadlines_check() -> int:
    """Scheduled by beat every 15 minutes: e-mail about SAE reports due within 2 hours or overdue."""
    return sae_deadlines_notify()
