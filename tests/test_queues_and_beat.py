"""Celery queues by kind (routing: task name -> queue), and one beat at a time (core.beat), against real Redis.

Routing is checked twice: in the router, for every task of the product, and by sending tasks through the broker
and finding each message in its queue's Redis list (no worker runs, so the messages wait there)."""

import pytest
import redis
from django.conf import settings

from core.beat import BeatLease, SingleBeatScheduler
from lbpb.celery import QUEUES, app
from tests.conftest import broker_required, services_required

EXPECTED = {
    "imaging.tasks.ingest_job_task": "ingest",
    "imaging.tasks.ingest_step_task": "ingest",
    "imaging.tasks.series_refresh_task": "ingest",
    "imaging.tasks.dropfolder_scan_task": "ingest",
    "imaging.tasks.bids_export_task": "export",
    "exports.tasks.data_export_task": "export",
    "workflows.tasks.response_import_task": "export",
    "surveys.tasks.reminders_send_task": "notify",
    "safety.tasks.sae_deadlines_check": "notify",
    "core.tasks.heartbeat": "default",
    "queries.tasks.quality_rules_nightly": "default",
    "imaging.tasks.staged_uploads_sweep_task": "default",
    "exports.tasks.data_exports_expire_task": "default",
    "imaging.tasks.exports_expire_task": "default",
}


def _redis_url() -> str:
    url = settings.CELERY_BROKER_URL or "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if services_required():
            pytest.fail(f"Redis is required in CI ({url})")
        pytest.skip(f"no Redis at {url}")
    return url


def test_every_product_task_has_the_queue_of_its_kind():
    app.loader.import_default_modules()
    product = {name for name in app.tasks if not name.startswith("celery.")}
    assert product == set(EXPECTED) | {"core.tasks.ping"}
    for name, queue in {**EXPECTED, "core.tasks.ping": "default"}.items():
        assert app.amqp.router.route({}, name)["queue"].name == queue, name
    assert {q.name for q in app.conf.task_queues} == set(QUEUES)  # a worker without -Q serves all of them


@pytest.mark.xdist_group("celery-worker")  # no worker of another test may consume these messages
@pytest.mark.services
def test_tasks_sent_through_the_broker_wait_in_their_own_queue():
    broker_required()
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    app.control.purge()
    try:
        for name in (
            "imaging.tasks.ingest_job_task",
            "exports.tasks.data_export_task",
            "surveys.tasks.reminders_send_task",
        ):
            app.send_task(name, args=[0] if "reminders" not in name else [])
        assert {queue: client.llen(queue) for queue in QUEUES} == {"default": 0, "ingest": 1, "export": 1, "notify": 1}
    finally:
        app.control.purge()


def test_a_second_beat_stands_by_until_the_first_lets_go_or_stops_renewing():
    url, key = _redis_url(), "lbpb:test:beat-lease"
    redis.Redis.from_url(url).delete(key)
    first, second = BeatLease(url, seconds=2, key=key), BeatLease(url, seconds=2, key=key)
    try:
        assert first.hold() and not second.hold()
        assert first.hold() and not second.hold()  # renewing keeps it
        first.release()
        assert second.hold() and not first.hold()
        import time

        time.sleep(2.3)  # the holder stopped renewing (a beat killed): the lease expires and the other takes it
        assert first.hold() and not second.hold()
    finally:
        redis.Redis.from_url(url).delete(key)


class RecordingScheduler(SingleBeatScheduler):
    """The real scheduler, recording what it would put on the broker instead of sending it."""

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        self.sent.append(entry.task)


def test_of_two_beats_only_the_lease_holder_sends_the_due_tasks(tmp_path, settings):
    url = _redis_url()
    settings.CELERY_BROKER_URL = url
    redis.Redis.from_url(url).delete("lbpb:beat:leader")
    schedule = {"every-second": {"task": "core.tasks.heartbeat", "schedule": 0.5}}
    beats = []
    try:
        for name in ("one", "two"):
            beat = RecordingScheduler(app=app, schedule_filename=str(tmp_path / name), lazy=False)
            beat.sent = []
            beat.update_from_dict(schedule)
            beats.append(beat)
        import time

        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            for beat in beats:
                beat.tick()
            time.sleep(0.1)
        one, two = beats
        assert one.sent.count("core.tasks.heartbeat") >= 2 and "core.tasks.heartbeat" not in two.sent
    finally:
        for beat in beats:
            beat.close()
        redis.Redis.from_url(url).delete("lbpb:beat:leader")
