"""Reads of workflows' own table."""

from __future__ import annotations

import logging

from celery.result import AsyncResult

from .models import ResponseImportJob

logger = logging.getLogger(__name__)


def import_job_rows_done(job: ResponseImportJob) -> int:
    """Rows done so far: from the job row once it has finished, while it runs from the task's progress reports
    in Celery's result backend (the rows are saved in one transaction that no other connection sees)."""
    if job.status != ResponseImportJob.Status.RUNNING or not job.task_id:
        return job.rows_done
    try:
        info = AsyncResult(job.task_id).info
    except Exception:  # noqa: BLE001  (the backend away: the page still shows the job)
        logger.warning("import job %s: no progress from the result backend", job.pk, exc_info=True)
        return job.rows_done
    return min(int(info.get("done", 0)), job.rows_total) if isinstance(info, dict) else job.rows_done
