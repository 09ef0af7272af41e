"""The task queue (Celery on Redis) and the schedule of the jobs that otherwise run as commands.

Started by `make serve` (a worker and the scheduler beside gunicorn); docs/operations.md lists the
jobs and their times. Without REDIS_URL a task runs at once in the caller's process."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("doorstroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["doorstroom.operations"])

#: what runs when (Europe/Amsterdam): the night for what touches the whole region, Monday morning for
#: the weekly digest
app.conf.beat_schedule = {
    "signalen-bijwerken": {
        "task": "doorstroom.operations.tasks.signals_refresh",
        "schedule": crontab(minute=15, hour=2),
    },
    "werkdeling-bijwerken": {
        "task": "doorstroom.operations.tasks.work_grants_refresh",
        "schedule": crontab(minute=45, hour=2),
    },
    "bewaartermijnen": {"task": "doorstroom.operations.tasks.retention_listing", "schedule": crontab(minute=0, hour=3)},
    "auditketen-controleren": {
        "task": "doorstroom.operations.tasks.audit_chain_verify",
        "schedule": crontab(minute=30, hour=3),
    },
    "idempotentie-opruimen": {
        "task": "doorstroom.operations.tasks.idempotency_purge",
        "schedule": crontab(minute=50, hour=3),
    },
    "signalen-mailen": {
        "task": "doorstroom.operations.tasks.signals_digest",
        "schedule": crontab(minute=0, hour=7, day_of_week="monday"),
    },
}
