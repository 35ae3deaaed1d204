"""Celery: a task goes through the real broker to a real worker and back.

With no CELERY_BROKER_URL (the embedded default) tasks run in-process; CI sets
the broker to the machine's Redis and REQUIRE_SERVICES=1, so the worker test
cannot silently skip there.
"""

import pytest
from django.conf import settings

from core.tasks import ping
from lbpb.celery import app
from tests.conftest import broker_required


def test_the_celery_app_refuses_pickle_and_has_time_limits():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert "heartbeat-every-5-minutes" in app.conf.beat_schedule


@pytest.mark.xdist_group("celery-worker")  # one worker process at a time consumes the queue
@pytest.mark.services
def test_a_task_runs_on_a_real_worker_through_the_redis_broker():
    broker_required()
    from celery.contrib.testing.worker import start_worker

    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert not app.conf.task_always_eager
    app.control.purge()  # drop messages a killed earlier run may have left
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        result = ping.delay("lumbar")
        payload = result.get(timeout=20)
    assert payload["pong"] == "lumbar"
    assert result.successful()


def test_tasks_run_in_process_without_a_broker():
    if settings.CELERY_BROKER_URL:
        pytest.skip("a broker is configured")
    assert ping.delay("x").get()["pong"] == "x"


@pytest.mark.xdist_group("celery-worker")
def test_worker_tests_share_one_xdist_process(request):
    """The real-worker tests consume one Redis queue, so --dist loadgroup must keep them on one xdist process.
    pytest 9.2 stopped pytest-xdist 3.8 from marking the group (a worker test then ate another's messages)."""
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not run with --dist loadgroup")
    assert request.node.nodeid.endswith("@celery-worker")
