"""The nightly data-quality batch: a thin task around queries.services.quality_rules_evaluate_all."""

from celery import shared_task

from audit.models import AuditEvent

from .services import quality_rules_evaluate_all


@shared_task(name="queries.tasks.quality_rules_nightly", soft_time_limit=1800, time_limit=2100)
def quality_rules_nightly() -> dict:
    return quality_rules_evaluate_all(path=AuditEvent.Path.SYSTEM)
