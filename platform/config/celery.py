"""The Celery app. Tasks carry the schema they were sent from (tenant-schemas-celery headers)
and run in that schema; periodic jobs fan out one small task per live town."""

import os

from celery.signals import worker_ready
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = CeleryApp("thongthin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Each entry runs a public task that enqueues one task per live town (tenancy rule 6).
    "towns-heartbeat": {
        "task": "tenants.tasks.for_each_town",
        "schedule": 300.0,
        "args": ("tenants.tasks.record_town_heartbeat",),
    },
    "outbox-sweep": {
        "task": "tenants.tasks.for_each_town",
        "schedule": 60.0,
        "args": ("services.common.tasks.sweep_outbox",),
    },
}


@app.on_after_finalize.connect
def add_app_schedules(sender, **kwargs) -> None:
    """Each Django app may declare `beat_schedule` on its AppConfig; collect them here so that
    services never edit this file to add a periodic job."""
    from django.apps import apps

    for config in apps.get_app_configs():
        sender.conf.beat_schedule.update(getattr(config, "beat_schedule", {}))


@worker_ready.connect
def heartbeat_at_start(sender=None, **kwargs) -> None:
    """Town health is true from the first minute: each live town beats once when a worker starts,
    not only after the first 5-minute beat."""
    sender.app.send_task("tenants.tasks.for_each_town", args=("tenants.tasks.record_town_heartbeat",))
