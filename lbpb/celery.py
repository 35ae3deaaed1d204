"""The Celery application.

JSON only (no pickle: a task message must never be able to run code), time
limits from settings, the beat schedule for nightly jobs, and one queue per
kind of work, so that a day of MRI uploads cannot hold up reminders and SAE
deadline e-mails: ``ingest`` (acquisition files), ``export`` (data and BIDS
exports, response imports), ``notify`` (reminders, SAE deadlines) and
``default`` (the rest: nightly checks, sweeps, heartbeat). A worker started
without ``-Q`` serves all four; on several machines each runs its own
(README, "Deploying on several machines"). Without a CELERY_BROKER_URL the
settings make every task run in-process.
"""

import os

from celery import Celery
from celery.schedules import crontab
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbpb.settings")

app = Celery("lbpb")
app.config_from_object("django.conf:settings", namespace="CELERY")
QUEUES = ("default", "ingest", "export", "notify")
TASK_ROUTES = {
    "imaging.tasks.ingest_job_task": {"queue": "ingest"},
    "imaging.tasks.ingest_step_task": {"queue": "ingest"},
    "imaging.tasks.series_refresh_task": {"queue": "ingest"},
    "imaging.tasks.dropfolder_scan_task": {"queue": "ingest"},
    "imaging.tasks.bids_export_task": {"queue": "export"},
    "exports.tasks.data_export_task": {"queue": "export"},
    "workflows.tasks.response_import_task": {"queue": "export"},
    "surveys.tasks.reminders_send_task": {"queue": "notify"},
    "safety.tasks.sae_deadlines_check": {"queue": "notify"},
}
app.conf.update(
    task_queues=[Queue(name, routing_key=name) for name in QUEUES],
    task_default_queue="default",
    task_routes=TASK_ROUTES,
    beat_max_loop_interval=30,  # core.beat renews its lease on every tick
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_expires=60 * 60 * 24,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    beat_schedule={
        "heartbeat-every-5-minutes": {
            "task": "core.tasks.heartbeat",
            "schedule": crontab(minute="*/5"),
        },
        "sae-deadlines": {"task": "safety.tasks.sae_deadlines_check", "schedule": crontab(minute="*/15")},
        "quality-rules-nightly": {"task": "queries.tasks.quality_rules_nightly", "schedule": crontab(hour=2, minute=3)},
        "imaging-sweep": {"task": "imaging.tasks.staged_uploads_sweep_task", "schedule": crontab(hour=3, minute=15)},
        "imaging-exports-expire": {"task": "imaging.tasks.exports_expire_task", "schedule": crontab(hour=3, minute=25)},
        "survey-reminders": {"task": "surveys.tasks.reminders_send_task", "schedule": crontab(minute="*/15")},
        "exports-expire": {"task": "exports.tasks.data_exports_expire_task", "schedule": crontab(hour=3, minute=5)},
        # expires: a scan still waiting when the next one is due is dropped, so scans never pile up
        "imaging-dropfolder": {
            "task": "imaging.tasks.dropfolder_scan_task",
            "schedule": crontab(),
            "options": {"expires": 55},
        },
    },
)
app.autodiscover_tasks()
