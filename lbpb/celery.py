"""The Celery application.

JSON only (no pickle: a task message must never be able to run code), time
limits from settings, and the beat schedule for nightly jobs. Without a
CELERY_BROKER_URL the settings make every task run in-process.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbpb.settings")

app = Celery("lbpb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
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
