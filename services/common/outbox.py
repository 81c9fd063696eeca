"""The notification outbox: messages are rows written in the business transaction and sent by
Celery after commit, with retries. A crash before commit sends nothing; a crash after commit
leaves a pending row that the periodic sweep sends."""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import OutboxMessage
from .notify import Delivery, DeliveryError, PermanentDeliveryError, ReplyTokenExpired, adapter_for
from .queueing import run_after_commit
from .workflow import SYSTEM, bulk_move, can_move, move

MAX_ATTEMPTS = 8
# Queued by name (tasks.py wraps this module: no import back).
DELIVER_TASK = "services.common.tasks.deliver_outbox_message"
# LINE reply tokens are short-lived; past this age the message is pushed without trying the token.
REPLY_WINDOW = dt.timedelta(seconds=50)
logger = logging.getLogger(__name__)

# A pending message is sent, fails for good (a refusal, or MAX_ATTEMPTS used up) or expires unsent
# after OUTBOX_MAX_AGE_HOURS. A failed or expired message is not retried (a new key queues a new
# message); only a send that outlived its lease and was expired meanwhile is still recorded as sent.
TRANSITIONS = {
    OutboxMessage.Status.PENDING: {
        OutboxMessage.Status.SENT: None,
        OutboxMessage.Status.FAILED: None,
        OutboxMessage.Status.EXPIRED: None,
    },
    OutboxMessage.Status.EXPIRED: {OutboxMessage.Status.SENT: None},
    OutboxMessage.Status.SENT: {},
    OutboxMessage.Status.FAILED: {},
}


def enqueue(
    *, channel: str, recipient: str, body: str, key: str, subject: str = "", reply_token: str = ""
) -> OutboxMessage | None:
    """Queue one message; the same `key` twice queues it once. Returns None when there is no recipient.

    `reply_token` (LINE) answers in the conversation for free while the token is fresh."""
    if not recipient:
        return None
    if not reply_token:
        reply_token = _take_reply_token(channel, recipient)
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=key,
        defaults={"channel": channel, "recipient": recipient, "subject": subject[:255], "body": body,
                  "reply_token": reply_token[:100]},
    )
    if created and not _held.get():
        run_after_commit(DELIVER_TASK, message.pk)
    return message


_held: contextvars.ContextVar[bool] = contextvars.ContextVar("outbox_held", default=False)
_reply_token: contextvars.ContextVar[dict | None] = contextvars.ContextVar("outbox_reply_token", default=None)


@contextmanager
def replying(*, channel: str, recipient: str, reply_token: str) -> Iterator[None]:
    """Inside, the first message queued for `recipient` on `channel` answers with `reply_token`
    (LINE: a free reply in the conversation that asked, instead of a paid push) — whichever
    service writes it, e.g. the "received" notice of a complaint filed from a LINE chat. A reply
    token is good once, so only one message takes it."""
    token = _reply_token.set({"channel": channel, "recipient": recipient, "token": reply_token} if reply_token else None)
    try:
        yield
    finally:
        _reply_token.reset(token)


def _take_reply_token(channel: str, recipient: str) -> str:
    pending = _reply_token.get()
    if not pending or pending["channel"] != channel or pending["recipient"] != recipient or not pending["token"]:
        return ""
    taken, pending["token"] = pending["token"], ""
    return taken


@contextmanager
def held() -> Iterator[None]:
    """Messages queued inside are written as usual but not handed to the broker one by one: the
    periodic sweep sends them, or expires them when they are past OUTBOX_MAX_AGE_HOURS. For writers
    of many past events at once (the demo's year of history), whose messages nobody could still use."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def max_age() -> dt.timedelta:
    return dt.timedelta(hours=settings.OUTBOX_MAX_AGE_HOURS)


def _expired_fields(now: dt.datetime) -> dict:
    hours = f"{settings.OUTBOX_MAX_AGE_HOURS:g}"
    return {
        "next_attempt_at": None,
        "provider_status_at": now,
        "last_error": f"ไม่ได้ส่งภายใน {hours} ชั่วโมง จึงไม่ส่งอีก (not sent within {hours} h: expired, never sent late)",
    }


def expire_stale(now: dt.datetime | None = None) -> int:
    """Expire, in one statement, every pending message older than OUTBOX_MAX_AGE_HOURS; returns how
    many. A message a worker is sending at this moment keeps the outcome that worker records."""
    now = now or timezone.now()
    stale = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, created_at__lt=now - max_age())
    due = stale.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    return bulk_move(due, to=OutboxMessage.Status.EXPIRED, transitions=TRANSITIONS, also=_expired_fields(now))


def send_now(*, channel: str, recipient: str, body: str, key: str, subject: str = "") -> OutboxMessage:
    """Queue one message and deliver it in this process at once (a test message from staff or the
    command line): the same row, adapter and recording as every message, without waiting for a
    worker. A failure stays on the row for the sweep to retry, like any other."""
    with transaction.atomic():
        message, _created = OutboxMessage.objects.get_or_create(
            idempotency_key=key,
            defaults={"channel": channel, "recipient": recipient, "subject": subject[:255], "body": body},
        )
    deliver(message.pk)
    message.refresh_from_db()
    return message


# While one worker sends a message, nobody else may: the row is claimed by pushing next_attempt_at
# this far ahead. A worker that dies mid-send leaves the claim to expire, then the sweep retries.
LEASE = dt.timedelta(minutes=5)


def deliver(message_id: int) -> str:
    """Send one pending message; returns its status afterwards. Safe to call twice.

    Three short steps, so no transaction (nor row lock) is held while the provider is called:
    claim the row (attempt counted, lease set), send, record the outcome. The provider gets the
    idempotency key, so a resend after a crash between sending and recording is recognised there."""
    now = timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .first()
        )
        if message is None:
            return "skipped"  # sent, failed, claimed by another worker, or not due yet
        if message.created_at < now - max_age():
            rows = OutboxMessage.objects.filter(pk=message.pk)
            bulk_move(rows, to=OutboxMessage.Status.EXPIRED, transitions=TRANSITIONS, also=_expired_fields(now))
            return OutboxMessage.Status.EXPIRED
        message.attempts += 1
        message.next_attempt_at = now + LEASE
        message.save(update_fields=["attempts", "next_attempt_at"])
    error, permanent, delivery, provider = "", False, None, ""
    try:
        adapter = adapter_for(message.channel, attempt=message.attempts)
        provider = getattr(adapter, "provider", "") or ""
        if message.reply_token and hasattr(adapter, "reply") and now - message.created_at < REPLY_WINDOW:
            try:
                delivery = adapter.reply(reply_token=message.reply_token, body=message.body)
            except ReplyTokenExpired:
                delivery = None  # used or expired: push below
        if delivery is None:
            delivery = adapter.send(
                recipient=message.recipient, subject=message.subject, body=message.body,
                idempotency_key=message.idempotency_key,
            )
    except PermanentDeliveryError as exc:
        error, permanent, provider = str(exc) or "refused by the provider", True, exc.provider or provider
    except DeliveryError as exc:
        error, provider = str(exc) or "delivery refused", exc.provider or provider
    except Exception as exc:  # an adapter bug must not leave the message claimed forever
        logger.exception("outbox adapter %s failed for message %s", message.channel, message.pk)
        error = f"{type(exc).__name__}: {exc}"
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        now = timezone.now()
        message.reply_token = ""  # good once at most
        if error:
            message.last_error = error[:2000]
            message.provider = provider[:30]
            if permanent or message.attempts >= MAX_ATTEMPTS:
                # A bad number or an over-long text fails for good; no retry would reach anyone.
                _settle(message, OutboxMessage.Status.FAILED)
                message.provider_status = "refused" if permanent else "failed"
                message.provider_status_at = now
                message.next_attempt_at = None
            else:
                message.next_attempt_at = now + dt.timedelta(seconds=30 * 2 ** (message.attempts - 1))
        else:
            _settle(message, OutboxMessage.Status.SENT)
            message.sent_at = now
            message.next_attempt_at = None
            message.last_error = ""
            if isinstance(delivery, Delivery):
                message.provider = delivery.provider[:30]
                message.provider_message_id = delivery.message_id[:100]
                message.provider_status = delivery.status[:30]
                message.provider_status_at = now
                message.segments = delivery.segments
                message.cost = delivery.cost
            else:
                message.provider = provider[:30]
                message.provider_status = "accepted"
                message.provider_status_at = now
        message.save()
        return message.status



def _settle(message: OutboxMessage, outcome: str) -> None:
    """Record a send's outcome; a row another worker settled meanwhile keeps its status."""
    if can_move(message.status, outcome, by=SYSTEM, transitions=TRANSITIONS):
        move(message, to=outcome, by=SYSTEM, transitions=TRANSITIONS)


def due_message_ids(now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=2)  # queued but never picked up (e.g. broker was down)
    pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
    return list(
        pending.filter(next_attempt_at__lte=now).values_list("pk", flat=True)[:limit]
    ) + list(pending.filter(next_attempt_at__isnull=True, created_at__lte=stale).values_list("pk", flat=True)[:limit])
