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

pytestmark = pytest.mark.worker


def wait_for(predicate, timeout: float = 40.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


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
