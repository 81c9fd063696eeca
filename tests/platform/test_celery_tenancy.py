"""Tasks run in the schema they were sent from, with a real worker process over the real broker."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django_tenants.utils import tenant_context

from services.common import outbox
from services.common.models import OutboxMessage
from tenants.models import Municipality
from tests.waiting import wait_for

pytestmark = pytest.mark.worker


def test_each_towns_task_runs_in_that_towns_schema(live_worker, django_db_blocker):
    marker = uuid.uuid4().hex[:8]
    with django_db_blocker.unblock():
        towns = list(Municipality.objects.filter(slug__in=["alpha", "beta"]).order_by("slug"))
        assert len(towns) == 2
        ids = {}
        try:
            for town in towns:
                with tenant_context(town), transaction.atomic():
                    message = outbox.enqueue(channel="sms", recipient="0812345678",
                                             body=f"{town.slug}-{marker}", key=f"celery-test-{marker}")
                    ids[town.schema_name] = message.pk
            live_worker.start()

            def all_sent() -> bool:
                for town in towns:
                    with tenant_context(town):
                        if OutboxMessage.objects.get(pk=ids[town.schema_name]).status != "sent":
                            return False
                return True

            assert wait_for(all_sent), "the worker did not deliver both towns' messages"
            for town in towns:
                log = Path(settings.DATA_DIR) / "outbox" / town.schema_name / "sms.jsonl"
                bodies = [json.loads(line)["body"] for line in log.read_text(encoding="utf-8").splitlines()]
                assert f"{town.slug}-{marker}" in bodies
                other = next(t for t in towns if t != town)
                assert f"{other.slug}-{marker}" not in bodies
        finally:
            for town in towns:
                with tenant_context(town):
                    OutboxMessage.objects.filter(idempotency_key=f"celery-test-{marker}").delete()


def test_periodic_fan_out_reaches_every_live_town_and_skips_suspended_ones(live_worker, django_db_blocker):
    from django.utils import timezone

    from tenants.tasks import for_each_town
    from tests.factories import make_town

    with django_db_blocker.unblock():
        suspended = make_town(slug="gamma", short_code="GAM", name_th="เทศบาลตำบลแกมมา", name_en="Gamma",
                              lao_code="05209903", tax_id="0994000999038", status="suspended")
        try:
            started = timezone.now()
            Municipality.objects.update(heartbeat_at=None)
            live_worker.start()
            for_each_town.delay("tenants.tasks.record_town_heartbeat")

            def live_towns_reported() -> bool:
                return Municipality.objects.filter(slug__in=["alpha", "beta"], heartbeat_at__gte=started).count() == 2

            assert wait_for(live_towns_reported), "not every live town ran its heartbeat task"
            time.sleep(1)
            suspended.refresh_from_db()
            assert suspended.heartbeat_at is None
        finally:
            from django.db import connection

            connection.set_schema_to_public()
            suspended.domains.all().delete()
            suspended.delete(force_drop=True)
