"""A message not sent within OUTBOX_MAX_AGE_HOURS expires and is never sent late; the demo's year
of history writes its messages without queueing each one, and they expire in one statement."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from services.common import outbox
from services.common.message_report import monthly_figures
from services.common.models import OutboxMessage
from services.common.tasks import sweep_outbox

pytestmark = pytest.mark.django_db


def _queued(key: str, *, hours_ago: float) -> OutboxMessage:
    with time_machine.travel(timezone.now() - dt.timedelta(hours=hours_ago), tick=False):
        return outbox.enqueue(channel="email", recipient="a@example.org", body="รหัสติดตาม X", key=key)


def test_a_message_older_than_the_limit_expires_instead_of_being_sent(in_town_a, settings):
    settings.OUTBOX_MAX_AGE_HOURS = 48
    old = _queued("old", hours_ago=49)
    fresh = _queued("fresh", hours_ago=47)
    assert outbox.deliver(old.pk) == OutboxMessage.Status.EXPIRED
    assert outbox.deliver(fresh.pk) == OutboxMessage.Status.SENT
    assert [m.body for m in mail.outbox] == ["รหัสติดตาม X"]  # the fresh one only
    old.refresh_from_db()
    assert (old.status, old.attempts, old.sent_at) == (OutboxMessage.Status.EXPIRED, 0, None)
    assert "48 h" in old.last_error and "ชั่วโมง" in old.last_error
    assert outbox.deliver(old.pk) == "skipped"  # expired for good: a second task sends nothing


def test_the_sweep_expires_stale_messages_in_one_go_and_sends_the_rest(in_town_a, settings):
    settings.OUTBOX_MAX_AGE_HOURS = 24
    stale = [_queued(f"s{i}", hours_ago=30 + i) for i in range(3)]
    recent = _queued("recent", hours_ago=1)
    sweep_outbox()
    statuses = dict(OutboxMessage.objects.values_list("idempotency_key", "status"))
    assert statuses == {**{m.idempotency_key: "expired" for m in stale}, recent.idempotency_key: "pending"}
    assert outbox.due_message_ids() == [recent.pk]  # the sweep hands on only what may still go


def test_a_message_being_sent_right_now_is_not_expired_under_the_worker(in_town_a, settings):
    settings.OUTBOX_MAX_AGE_HOURS = 24
    message = _queued("claimed", hours_ago=30)
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() + outbox.LEASE, attempts=1)
    assert outbox.expire_stale() == 0
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING


def test_messages_queued_while_held_are_written_but_not_dispatched(in_town_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, outbox.held():
        outbox.enqueue(channel="sms", recipient="0812345678", body="x", key="held-1")
    with django_capture_on_commit_callbacks() as later:
        outbox.enqueue(channel="sms", recipient="0812345678", body="x", key="after-1")
    assert (len(callbacks), len(later)) == (0, 1)
    assert OutboxMessage.objects.filter(idempotency_key="held-1", status="pending").exists()


def test_expired_messages_are_counted_apart_from_failures(in_town_a, settings):
    settings.OUTBOX_MAX_AGE_HOURS = 1
    _queued("e1", hours_ago=2)
    outbox.expire_stale()
    start = timezone.now() - dt.timedelta(days=1)
    figures = monthly_figures(start, timezone.now() + dt.timedelta(minutes=1))
    assert (figures["email_expired"], figures["email_failed"], figures["email_sent"]) == (1, 0, 0)


def test_expiry_stays_in_its_own_town(town_a, town_b, settings):
    settings.OUTBOX_MAX_AGE_HOURS = 1
    with tenant_context(town_b):
        other = _queued("b-old", hours_ago=5)
    with tenant_context(town_a):
        _queued("a-old", hours_ago=5)
        assert outbox.expire_stale() == 1
    with tenant_context(town_b):
        assert OutboxMessage.objects.get(pk=other.pk).status == OutboxMessage.Status.PENDING
    connection.set_schema_to_public()
