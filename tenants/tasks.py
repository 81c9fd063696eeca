"""Fan-out of periodic work: one small task per live town (tenancy rule 6)."""

from __future__ import annotations

from celery import current_app, shared_task
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from .models import Municipality, MunicipalityStatus


@shared_task(name="tenants.tasks.for_each_town")
def for_each_town(task_name: str, *args) -> int:
    """Send `task_name(*args)` once per live town, each carrying that town's schema."""
    schemas = list(
        Municipality.objects.filter(status=MunicipalityStatus.LIVE).values_list("schema_name", flat=True)
    )
    for schema in schemas:
        with schema_context(schema):
            current_app.send_task(task_name, args=args)
    return len(schemas)


@shared_task(name="tenants.tasks.record_town_heartbeat")
def record_town_heartbeat() -> None:
    """Copy a town's health figures (aggregates only) to its public registry row."""
    from auditlog.models import LogEntry

    from services.accounts.models import User

    schema = connection.schema_name
    staff = User.objects.filter(kind=User.Kind.STAFF, is_active=True).count()
    last = LogEntry.objects.order_by("-timestamp").values_list("timestamp", flat=True).first()
    with schema_context("public"):
        Municipality.objects.filter(schema_name=schema).update(
            staff_count=staff, last_activity_at=last, heartbeat_at=timezone.now()
        )
