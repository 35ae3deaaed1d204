"""Thin Celery tasks: ids in, one service call each. One task per uploaded file."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from .services import ingest_run, ingest_step
from .services.dicom import series_refresh_now

# An ingest task: retried while the database is away, acknowledged only once done (a killed worker's job is
# redelivered and resumes), within the settings' time limits.
INGEST = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 3,
    "acks_late": True,
    "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
}


@shared_task(**INGEST)
def ingest_job_task(job_id: int) -> int:
    """Every remaining step of one job (imaging.services.steps.ingest_run); redelivered after a crash, it resumes
    at the step after the last commit."""
    ingest_run(job_id=job_id)
    return job_id


@shared_task(**INGEST)
def ingest_step_task(job_id: int, step: str) -> int:
    """One step: kept for chains queued by an earlier release (still in Redis during an upgrade)."""
    ingest_step(job_id=job_id, step=step)
    return job_id


def pipeline(job_id: int):
    """checksum -> deduplicate -> parse -> validate -> store -> derive -> link -> finish, for one job, in one task."""
    return ingest_job_task.si(job_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3, acks_late=True)
def series_refresh_task(series_id: int) -> int:
    """A series' label, counts and preview from all its files so far (queued once while files keep coming)."""
    series_refresh_now(series_id)
    return series_id


@shared_task(acks_late=True)
def staged_uploads_sweep_task() -> int:
    """Nightly (beat): remove staged uploads of jobs that failed more than 30 days ago."""
    from .services.sweep import staged_uploads_sweep

    return staged_uploads_sweep()


# A whole study converts series by series; longer than an ingest step, so its own limits (soft: mark failed).
@shared_task(acks_late=True, soft_time_limit=4 * 3600, time_limit=4 * 3600 + 300)
def bids_export_task(export_id: int) -> int:
    from .services.bids_export import export_run

    export_run(export_id=export_id)
    return export_id


@shared_task(
    acks_late=True, soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT, time_limit=settings.CELERY_TASK_TIME_LIMIT
)
def dropfolder_scan_task() -> int:
    """Every minute (beat): queue the settled files of IMAGING_DROP_FOLDER; nothing when the setting is empty."""
    from .services.dropfolder import dropfolder_scan

    return len(dropfolder_scan())


@shared_task(acks_late=True)
def exports_expire_task() -> int:
    """Nightly (beat): delete BIDS export zips older than IMAGING_EXPORT_KEEP_DAYS (0: keep them)."""
    from .services.bids_export import exports_expire

    return exports_expire()
