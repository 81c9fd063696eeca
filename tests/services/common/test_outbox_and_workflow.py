from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction

from services.common import outbox
from services.common.models import OutboxMessage
from services.common.notify import DeliveryError
from services.common.workflow import TransitionNotAllowed, allowed_targets, move
from tests.factories import make_user


def test_the_same_key_queues_one_message(in_town_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = outbox.enqueue(channel="email", recipient="a@example.org", body="x", key="k1", subject="s")
        second = outbox.enqueue(channel="email", recipient="a@example.org", body="x", key="k1", subject="s")
    assert first.pk == second.pk
    assert len(callbacks) == 1
    assert OutboxMessage.objects.count() == 1


def test_delivery_sends_once_and_marks_sent(in_town_a):
    message = outbox.enqueue(channel="email", recipient="a@example.org", body="สวัสดี", key="k2", subject="เรื่อง")
    assert outbox.deliver(message.pk) == "sent"
    assert outbox.deliver(message.pk) == "skipped"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].body == "สวัสดี"


def test_a_failing_provider_keeps_the_message_for_retry(in_town_a, settings, monkeypatch):
    def refuse(self, **kwargs):
        raise DeliveryError("provider down")

    monkeypatch.setattr("services.common.notify.EmailAdapter.send", refuse)
    message = outbox.enqueue(channel="email", recipient="a@example.org", body="x", key="k3")
    assert outbox.deliver(message.pk) == "pending"
    message.refresh_from_db()
    assert message.attempts == 1 and message.next_attempt_at is not None
    assert "provider down" in message.last_error


def test_no_recipient_queues_nothing(in_town_a):
    assert outbox.enqueue(channel="sms", recipient="", body="x", key="k4") is None


class Case:
    def __init__(self):
        self.status = "received"
        self.events = []

    def record_transition(self, *, old, new, by, note):
        self.events.append((old, new, note))


TABLE = {"received": {"accepted": "accounts.manage_staff", "rejected": None}, "accepted": {}}


def test_move_follows_the_table_and_records_the_event(in_town_a):
    admin = make_user(roles=("town_admin",))
    case = Case()
    move(case, to="accepted", by=admin, transitions=TABLE, note="ok")
    assert case.status == "accepted"
    assert case.events == [("received", "accepted", "ok")]


def test_move_refuses_a_pair_outside_the_table(in_town_a):
    case = Case()
    case.status = "accepted"
    with pytest.raises(TransitionNotAllowed):
        move(case, to="received", by=None, transitions=TABLE)
    assert allowed_targets("accepted", TABLE) == []


def test_move_checks_the_permission(in_town_a):
    officer = make_user(roles=("officer",))
    case = Case()
    with pytest.raises(PermissionDenied):
        move(case, to="accepted", by=officer, transitions=TABLE)
    assert case.status == "received"
    with transaction.atomic():
        move(case, to="rejected", by=None, transitions=TABLE)
    assert case.status == "rejected"


def test_a_crash_mid_send_leaves_a_claim_that_expires_then_the_message_is_sent(in_town_a, monkeypatch):
    """The provider is called outside any lock: the row is claimed (lease), so a second worker skips
    it; a worker that dies mid-send leaves the claim to expire and the sweep sends it once later."""
    import datetime as dt

    from django.utils import timezone

    calls = []

    def crash(self, **kwargs):
        calls.append(kwargs["idempotency_key"])
        raise RuntimeError("worker killed")

    message = outbox.enqueue(channel="email", recipient="a@example.org", body="x", key="k-lease")
    monkeypatch.setattr("services.common.notify.EmailAdapter.send", crash)
    assert outbox.deliver(message.pk) == "pending"
    message.refresh_from_db()
    assert message.attempts == 1 and "worker killed" in message.last_error
    assert outbox.deliver(message.pk) == "skipped"  # not due yet: nobody sends it twice at once
    assert message.pk not in outbox.due_message_ids()
    monkeypatch.undo()
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert message.pk in outbox.due_message_ids()
    assert outbox.deliver(message.pk) == "sent"
    assert len(mail.outbox) == 1 and calls == ["k-lease"]


def test_a_message_that_keeps_failing_ends_failed(in_town_a, monkeypatch):
    def refuse(self, **kwargs):
        raise DeliveryError("mailbox full")

    monkeypatch.setattr("services.common.notify.EmailAdapter.send", refuse)
    message = outbox.enqueue(channel="email", recipient="a@example.org", body="x", key="k-fail")
    for _attempt in range(outbox.MAX_ATTEMPTS):
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=None)
        outbox.deliver(message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED and message.attempts == outbox.MAX_ATTEMPTS
    assert outbox.deliver(message.pk) == "skipped"
