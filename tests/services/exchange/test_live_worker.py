"""A real worker over the real broker: killed in the middle of a delivery, started again, the
letter arrives once; the recipient's registration number comes back to the sender."""

from __future__ import annotations

import datetime as dt
import time

import psycopg
import pytest
from django.db import connection, connections
from django.utils import timezone
from django_tenants.utils import tenant_context

from services.correspondence import actions
from services.correspondence.models import (
    ApprovalStep,
    Endorsement,
    Letter,
    LetterAttachment,
    LetterEvent,
    LetterRecipient,
    RecipientStatus,
    RegisterEntry,
    Routing,
    SarabanSettings,
)
from services.exchange.actions import due_message_ids
from services.exchange.models import ExchangeMessage, MessageStatus
from services.exchange.tasks import deliver_message
from tenants.models import Municipality
from tests.services.correspondence.helpers import approved_letter, configure_town, staff_set
from tests.waiting import wait_for

pytestmark = pytest.mark.worker


def _dsn() -> str:
    db = connections["default"].settings_dict
    return (
        f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} dbname={db['NAME']} "
        f"user={db['USER']} password={db['PASSWORD'] or ''}"
    )


def _lock_waiters(monitor) -> int:
    row = monitor.execute(
        "select count(*) from pg_stat_activity"
        " where datname = current_database() and wait_event_type = 'Lock'"
    ).fetchone()
    return row[0]


def _cleanup(towns, message_ids, users) -> None:
    ExchangeMessage.objects.filter(answers_id__in=message_ids).delete()
    ExchangeMessage.objects.filter(pk__in=message_ids).delete()
    for town in towns:
        with tenant_context(town):
            letters = Letter.objects.filter(created_at__gte=timezone.now() - dt.timedelta(hours=1))
            ids = list(letters.values_list("pk", flat=True))
            for model in (
                Routing,
                Endorsement,
                RegisterEntry,
                LetterEvent,
                LetterAttachment,
                LetterRecipient,
                ApprovalStep,
            ):
                model.objects.filter(letter_id__in=ids).delete()
            Letter.objects.filter(pk__in=ids).delete()
            SarabanSettings.objects.all().delete()
            for user in users.get(town.slug, []):
                user.delete()


def test_worker_killed_mid_delivery_delivers_once_after_restart_and_ack_returns(
    live_worker, django_db_blocker
):
    with django_db_blocker.unblock():
        town_a = Municipality.objects.get(slug="alpha")
        town_b = Municipality.objects.get(slug="beta")
        users: dict = {}
        message_ids: list[int] = []
        monitor = psycopg.connect(_dsn(), autocommit=True)
        blocker = psycopg.connect(_dsn())
        try:
            with tenant_context(town_a):
                configure_town("ชบ 52105")
                people_a = staff_set()
                users["alpha"] = list(people_a.values())
                letter = approved_letter(people_a)
            # Hold the recipient's letter table so the worker blocks inside its delivery transaction.
            blocker.execute(
                f'LOCK TABLE "{town_b.schema_name}".correspondence_letter IN ACCESS EXCLUSIVE MODE'
            )
            with tenant_context(town_a):
                actions.send_letter(
                    letter_id=letter.pk, by=people_a["clerk"], recipient_codes=[town_b.lao_code]
                )
                recipient = LetterRecipient.objects.get(letter=letter)
            message = ExchangeMessage.objects.get(public_id=recipient.exchange_message_id)
            message_ids.append(message.pk)

            live_worker.start()
            assert wait_for(lambda: _lock_waiters(monitor) >= 1), "the worker never reached the delivery"
            live_worker.kill()  # mid-delivery: its transaction has locked the message and is writing
            blocker.rollback()  # release; the orphaned transaction then ends with its dead client
            assert wait_for(lambda: _lock_waiters(monitor) == 0)
            time.sleep(1.0)
            message.refresh_from_db()
            assert message.status == MessageStatus.QUEUED
            assert message.attempts == 0  # the killed attempt left nothing behind
            with tenant_context(town_b):
                assert not Letter.objects.filter(exchange_message_id=message.public_id).exists()

            # Run again: the sweep finds the overdue message; a duplicate task is sent on purpose.
            live_worker.start()
            due = due_message_ids(now=timezone.now() + dt.timedelta(minutes=5))
            assert message.pk in due
            with tenant_context(town_a):
                deliver_message.delay(message.pk)
                deliver_message.delay(message.pk)

            def delivered() -> bool:
                message.refresh_from_db()
                return message.status == MessageStatus.DELIVERED

            assert wait_for(delivered), message.last_error
            time.sleep(1.0)  # let the duplicate task run too
            with tenant_context(town_b):
                copies = Letter.objects.filter(exchange_message_id=message.public_id)
                assert copies.count() == 1
                configure_town("ชบ 52106")
                clerk_b = staff_set()["clerk"]
                users["beta"] = [clerk_b]
                entry = actions.register_received(letter_id=copies.get().pk, by=clerk_b)
            message_ids.extend(ExchangeMessage.objects.filter(answers=message).values_list("pk", flat=True))

            def acknowledged() -> bool:
                with tenant_context(town_a):
                    return LetterRecipient.objects.get(pk=recipient.pk).status == RecipientStatus.REGISTERED

            assert wait_for(acknowledged), "the acknowledgement did not come back"
            with tenant_context(town_a):
                recipient.refresh_from_db()
                assert recipient.their_reference == f"เลขรับ {entry.number}/{entry.year}"
            message.refresh_from_db()
            assert message.status == MessageStatus.REGISTERED
            assert message.attempts == 1
        finally:
            live_worker.stop()
            blocker.close()
            monitor.close()
            _cleanup([town_a, town_b], message_ids, users)
            connection.set_schema_to_public()
