"""A worker killed (SIGKILL) in the middle of a job: the step's message was not acknowledged (task_acks_late), so
Redis hands it to the next worker after the visibility timeout and the job finishes once, with one stored file.

Runs a real ``celery worker`` in a subprocess against the test database, so it needs PostgreSQL (an in-memory
SQLite test database cannot be opened by another process) and Redis; CI has both (REQUIRE_SERVICES=1).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from imaging.models import DataFile, IngestJob
from imaging.services import STEPS, folder_receive
from lbpb.celery import app
from tests.conftest import services_required
from tests.imaging.synthetic import write_long_psg

ROOT = Path(__file__).resolve().parents[3]


def _needs_services() -> None:
    missing = [] if settings.CELERY_BROKER_URL else ["CELERY_BROKER_URL (Redis)"]
    if connection.vendor != "postgresql":
        missing.append("DATABASE_URL (PostgreSQL: a worker process cannot open an in-memory SQLite test database)")
    if missing:
        if services_required():
            pytest.fail("needs " + ", ".join(missing))
        pytest.skip("needs " + ", ".join(missing))


WORKER_APP_NAME = "edc-test-worker"


def _worker(media_root: Path, log: Path) -> subprocess.Popen:
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    url += f"?application_name={WORKER_APP_NAME}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_MEDIA_ROOT": str(media_root),
        "CELERY_VISIBILITY_TIMEOUT": "2",
        "DJANGO_DEBUG": "1",
        "DATABASE_CONN_MAX_AGE": "0",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "lbpb",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    # Output to a file, not a pipe: nobody reads a pipe while the test waits, and a full pipe blocks the worker.
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(worker: subprocess.Popen) -> None:
    """End the worker and any database session it left (a killed process's session can outlive it briefly and
    would stop pytest-django from dropping the test database)."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(10)
    with connection.cursor() as cursor:
        # Only the worker's own sessions: the live server and other tests keep theirs.
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [WORKER_APP_NAME],
        )


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


def _wait(predicate, seconds: float, what: str, worker: subprocess.Popen, log: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = IngestJob.objects.get()
        if predicate(job):
            return job
        if worker.poll() is not None:
            raise AssertionError(f"the worker exited: {_tail(log)}")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}: job log {IngestJob.objects.get().log!r}; worker: {_tail(log)}")


@pytest.mark.slow
@pytest.mark.xdist_group("celery-worker")  # one worker process at a time consumes the queue
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_is_killed_mid_step_finishes_once_on_the_next_worker(
    world, make_persona, visit_a, tmp_path, media_root
):
    _needs_services()
    assert not app.conf.task_always_eager
    path = write_long_psg(tmp_path / "night.edf", hours=2)  # its derive step takes several seconds
    app.control.purge()  # drop messages a killed earlier run may have left
    log = tmp_path / "worker.log"
    first = _worker(media_root, log)
    try:
        folder_receive(
            study=world.study,
            user=make_persona("coordinator"),
            root=path,
            participant=world.participant_a,
            visit=visit_a,
        )
        _wait(
            lambda job: job.steps_done[-1:] == ["store"], 180, "the store step", first, log
        )  # generous: CI machines are shared
        time.sleep(0.5)  # well inside derive (HRV over 2 hours of ECG)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        _stop(first)
    job = IngestJob.objects.get()
    assert job.status == "running" and job.steps_done[-1] == "store", job.log  # killed mid-job, really
    assert DataFile.objects.count() == 1
    second = _worker(media_root, log)
    try:
        job = _wait(lambda job: job.is_finished, 300, "the job to finish after the restart", second, log)
    finally:
        _stop(second)
    assert job.status == "succeeded", job.log
    assert job.steps_done == list(STEPS)  # every step recorded once, in order
    assert job.log.count("derived measures computed") == 1 and job.log.count("Done.") == 1
    data_file = DataFile.objects.get()
    stored = Path(data_file.file.path)
    assert stored.exists() and stored.stat().st_size == path.stat().st_size
    assert data_file.measures.filter(name="rmssd_ms").exists()
    assert job.staged_path == ""
