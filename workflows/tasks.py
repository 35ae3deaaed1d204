"""Thin Celery tasks: ids in, one service call each."""

from celery import shared_task
from django.conf import settings

from .services import response_import_run


@shared_task(
    bind=True,
    name="workflows.tasks.response_import_task",
    acks_late=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def response_import_task(self, job_id: int) -> int:
    def progress(done: int) -> None:
        if not self.request.is_eager:  # rows done so far, for the job page (workflows.selectors)
            self.update_state(state="PROGRESS", meta={"done": done})

    response_import_run(job_id=job_id, progress=progress)
    return job_id
