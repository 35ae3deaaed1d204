"""Thin Celery tasks: ids in, one service call each."""

from celery import shared_task

from .services import export_run, exports_expire


# A whole study may take a while on a 2-core machine: its own limits (a killed run stays "running"; cancel it).
@shared_task(acks_late=True, soft_time_limit=2 * 3600, time_limit=2 * 3600 + 300)
def data_export_task(export_id: int) -> int:
    export_run(export_id=export_id)
    return export_id


@shared_task(acks_late=True)
def data_exports_expire_task() -> int:
    """Nightly (beat): delete the files of data exports past DATA_EXPORT_KEEP_DAYS."""
    return exports_expire()
