"""A real worker over the real broker: killed in the middle of delivering a referred complaint,
started again, the receiving town holds exactly one copy and its tracking code comes back."""

from __future__ import annotations

import datetime as dt
import time

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from services.common.models import NumberSeries, OutboxMessage
from services.complaints import actions, referrals
from services.complaints.models import Category, Complaint, Referral
from services.exchange.actions import due_message_ids
from services.exchange.models import ExchangeMessage, MessageStatus
from services.exchange.tasks import deliver_message
from tenants.models import Municipality
from tests.factories import make_user
from tests.services.exchange.test_live_worker import _dsn, _lock_waiters, wait_for

from .conftest import make_filing

pytestmark = pytest.mark.worker


def _numbers(town) -> dict:
    with tenant_context(town):
        return {(n.series, n.period): n.last_value for n in NumberSeries.objects.filter(series="complaint")}


def _restore_numbers(town, saved: dict) -> None:
    with tenant_context(town):
        for row in NumberSeries.objects.filter(series="complaint"):
            if (row.series, row.period) in saved:
                row.last_value = saved[(row.series, row.period)]
                row.save(update_fields=["last_value"])
            else:
                row.delete()


def test_worker_killed_mid_referral_delivers_one_copy_after_restart(live_worker, django_db_blocker):
    with django_db_blocker.unblock():
        town_a = Municipality.objects.get(slug="alpha")
        town_b = Municipality.objects.get(slug="beta")
        started = timezone.now()
        numbers = {town_a.slug: _numbers(town_a), town_b.slug: _numbers(town_b)}
        first_message = ExchangeMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        monitor = psycopg.connect(_dsn(), autocommit=True)
        blocker = psycopg.connect(_dsn())
        officer = None
        try:
            with tenant_context(town_a):
                officer = make_user(roles=("oss_officer",))
                category = Category.objects.get(code="road")
                complaint = actions.submit_complaint(filing=make_filing(category), ip="203.0.113.50")
                actions.accept_complaint(complaint_id=complaint.pk, by=officer)
            # Hold the receiving town's complaint table: the worker blocks inside its delivery.
            blocker.execute(f'LOCK TABLE "{town_b.schema_name}".complaints_complaint IN ACCESS EXCLUSIVE MODE')
            with tenant_context(town_a):
                referral = referrals.refer_to_town(
                    complaint_id=complaint.pk, by=officer, town_code=town_b.lao_code, reason="ของเบตา"
                )
            message = ExchangeMessage.objects.get(public_id=referral.exchange_message_id)

            live_worker.start()
            assert wait_for(lambda: _lock_waiters(monitor) >= 1), "the worker never reached the delivery"
            live_worker.kill()  # mid-delivery: the message row is locked and the copy half-written
            blocker.rollback()
            assert wait_for(lambda: _lock_waiters(monitor) == 0)
            time.sleep(1.0)  # the orphaned transaction ends with its dead client
            message.refresh_from_db()
            assert message.status == MessageStatus.QUEUED
            assert message.attempts == 0  # the killed attempt left nothing behind
            with tenant_context(town_b):
                assert not Complaint.objects.filter(exchange_message_id=message.public_id).exists()

            # Run again: the sweep would find it; send it twice on purpose.
            live_worker.start()
            assert message.pk in due_message_ids(now=timezone.now() + dt.timedelta(minutes=5))
            with tenant_context(town_a):
                deliver_message.delay(message.pk)
                deliver_message.delay(message.pk)

            def delivered() -> bool:
                message.refresh_from_db()
                return message.status in (MessageStatus.DELIVERED, MessageStatus.REGISTERED)

            assert wait_for(delivered, timeout=120), message.last_error

            def acknowledged() -> bool:
                with tenant_context(town_a):
                    return bool(Referral.objects.get(pk=referral.pk).remote_tracking_code)

            assert wait_for(acknowledged, timeout=120), "the new tracking code did not come back"
            with tenant_context(town_b):
                copies = Complaint.objects.filter(exchange_message_id=message.public_id)
                assert copies.count() == 1
                copy = copies.get()
            with tenant_context(town_a):
                referral.refresh_from_db()
                assert referral.remote_tracking_code == copy.tracking_code
                assert referral.status == Referral.Status.DELIVERED
                assert Complaint.objects.get(pk=complaint.pk).status == "referred"
            message.refresh_from_db()
            assert message.attempts == 1
        finally:
            live_worker.stop()
            blocker.close()
            monitor.close()
            later = ExchangeMessage.objects.filter(pk__gt=first_message)
            later.filter(answers__isnull=False).delete()
            later.delete()
            for town in (town_a, town_b):
                with tenant_context(town):
                    Complaint.objects.filter(created_at__gte=started).delete()
                    OutboxMessage.objects.filter(created_at__gte=started).delete()
                _restore_numbers(town, numbers[town.slug])
            if officer is not None:
                with tenant_context(town_a):
                    officer.delete()
            connection.set_schema_to_public()
