"""Background jobs kept as rows: the claim and the finish that every job runner shares.

A job row has ``status``, ``started_at``, ``finished_at`` and ``is_finished``. ``job_run`` claims the row under
a lock (a redelivered task finds it finished and does nothing), runs the work, then saves the finished row and
records it (the caller's audit event) in one transaction. The work sets the outcome on the row (status, counts,
error) and catches its own failures: what a failure means differs per job (a file to remove, a message to keep).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone


def job_claim(jobs: QuerySet, job_id: int, *, running: str) -> Any | None:
    """Lock the job and mark it ``running``; None when it already finished."""
    with transaction.atomic():
        job = jobs.select_for_update(of=("self",)).get(pk=job_id)
        if job.is_finished:
            return None
        job.status, job.started_at = running, timezone.now()
        job.save(update_fields=["status", "started_at"])
    return job


def job_run(
    jobs: QuerySet,
    job_id: int,
    *,
    running: str,
    fields: Iterable[str],
    work: Callable[[Any], None],
    record: Callable[[Any, dict], None],
) -> Any:
    """Claim the job, ``work(job)``, then save it finished and ``record(job, before)`` together, ``before``
    holding ``fields`` as they were when the work started. A finished job is returned as it is."""
    job = job_claim(jobs, job_id, running=running)
    if job is None:
        return jobs.get(pk=job_id)
    before = {name: getattr(job, name) for name in fields}
    work(job)
    job.finished_at = timezone.now()
    with transaction.atomic():
        job.save()
        record(job, before)
    return job
