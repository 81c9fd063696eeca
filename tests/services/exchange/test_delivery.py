"""Town-to-town delivery: into the recipient's schema, exactly once, acknowledged back."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from services.correspondence import actions
from services.correspondence.models import Letter, LetterRecipient, LetterStatus, RecipientStatus
from services.exchange import actions as exchange
from services.exchange.kinds import Kind, get_kind, register_kind
from services.exchange.models import ExchangeMessage, MessageStatus
from tests.services.correspondence.helpers import approved_letter, configure_town, staff_set

pytestmark = pytest.mark.django_db


def _send_from_a_to_b(town_a, town_b):
    connection.set_tenant(town_a)
    configure_town("ชบ 52105")
    people_a = staff_set()
    letter = approved_letter(people_a)
    actions.send_letter(letter_id=letter.pk, by=people_a["clerk"], recipient_codes=[town_b.lao_code])
    letter.refresh_from_db()
    recipient = LetterRecipient.objects.get(letter=letter)
    message = ExchangeMessage.objects.get(public_id=recipient.exchange_message_id)
    return letter, message, people_a


def test_letter_arrives_once_in_the_recipient_town_even_when_delivered_twice(town_a, town_b):
    letter, message, _people = _send_from_a_to_b(town_a, town_b)
    assert message.status == MessageStatus.QUEUED
    assert exchange.deliver(message.pk) == MessageStatus.DELIVERED
    assert exchange.deliver(message.pk) == MessageStatus.DELIVERED  # a retried task changes nothing
    message.refresh_from_db()
    assert message.attempts == 1
    connection.set_tenant(town_b)
    received = Letter.objects.get(exchange_message_id=message.public_id)
    assert received.status == LetterStatus.RECEIVED
    assert received.subject == letter.subject
    assert received.letter_number == letter.letter_number
    assert received.sender_code == town_a.lao_code
    assert received.attachments.filter(role="scan", file__content_type="application/pdf").exists()
    # The public schema does not keep the town's documents once delivered.
    assert all(bytes(a.content) == b"" and a.sha256 for a in message.attachments.all())
    connection.set_tenant(town_a)
    # Tenant isolation: the copy lives only in beta's schema.
    assert not Letter.objects.filter(exchange_message_id=message.public_id).exists()


def test_registering_sends_the_number_back_and_returning_sends_the_reason(town_a, town_b):
    letter, message, _people = _send_from_a_to_b(town_a, town_b)
    exchange.deliver(message.pk)
    connection.set_tenant(town_b)
    people_b = staff_set()
    received = Letter.objects.get(exchange_message_id=message.public_id)
    entry = actions.register_received(letter_id=received.pk, by=people_b["clerk"])
    ack = ExchangeMessage.objects.get(answers=message)
    assert ack.recipient_code == town_a.lao_code
    assert exchange.deliver(ack.pk) == MessageStatus.DELIVERED
    message.refresh_from_db()
    assert message.status == MessageStatus.REGISTERED
    assert message.recipient_reference == f"เลขรับ {entry.number}/{entry.year}"
    connection.set_tenant(town_a)
    recipient = LetterRecipient.objects.get(letter=letter)
    assert recipient.status == RecipientStatus.REGISTERED
    assert recipient.their_reference == f"เลขรับ {entry.number}/{entry.year}"
    assert letter.events.filter(action="acknowledged:registered").exists()


def test_returned_letter_reports_the_reason_to_the_sender(town_a, town_b):
    letter, message, _people = _send_from_a_to_b(town_a, town_b)
    exchange.deliver(message.pk)
    connection.set_tenant(town_b)
    clerk_b = staff_set()["clerk"]
    received = Letter.objects.get(exchange_message_id=message.public_id)
    actions.return_received(letter_id=received.pk, by=clerk_b, reason="ส่งผิดหน่วยงาน")
    exchange.deliver(ExchangeMessage.objects.get(answers=message).pk)
    connection.set_tenant(town_a)
    recipient = LetterRecipient.objects.get(letter=letter)
    assert recipient.status == RecipientStatus.RETURNED
    assert recipient.note == "ส่งผิดหน่วยงาน"


def test_a_failing_handler_leaves_the_message_queued_for_a_retry_with_nothing_written(
    town_a, town_b, monkeypatch
):
    _letter, message, _people = _send_from_a_to_b(town_a, town_b)
    spec = get_kind("letter")
    calls = []

    def broken(msg):
        calls.append(msg.pk)
        Letter.objects.create(direction="incoming", status="received", subject="half-written")
        raise RuntimeError("disk full")

    register_kind(
        Kind(
            name="letter",
            fields=spec.fields,
            required=spec.required,
            deliver=broken,
            acknowledged=spec.acknowledged,
        )
    )
    try:
        with pytest.raises(exchange.DeliveryPostponed):
            exchange.deliver(message.pk)
    finally:
        register_kind(spec)
    message.refresh_from_db()
    assert calls
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert "disk full" in message.last_error
    assert message.next_attempt_at is not None
    connection.set_tenant(town_b)
    assert not Letter.objects.filter(subject="half-written").exists()
    assert exchange.deliver(message.pk) == MessageStatus.DELIVERED
    assert Letter.objects.filter(exchange_message_id=message.public_id).count() == 1


def test_payload_is_restricted_to_the_kinds_declared_fields(town_a, town_b):
    with pytest.raises(ValidationError):
        exchange.send(
            kind="letter",
            sender_code=town_a.lao_code,
            recipient_code=town_b.lao_code,
            payload={"subject": "x", "letter_number": "1", "letter_date": "2026-11-25", "citizen_id": "1"},
        )
    with pytest.raises(ValidationError):
        exchange.send(
            kind="letter",
            sender_code=town_a.lao_code,
            recipient_code=town_b.lao_code,
            payload={"subject": "x"},
        )
    with pytest.raises(ValidationError):
        exchange.send(
            kind="no-such-kind", sender_code=town_a.lao_code, recipient_code=town_b.lao_code, payload={}
        )
    with pytest.raises(ValidationError):
        exchange.send(
            kind="letter",
            sender_code=town_a.lao_code,
            recipient_code="99999999",
            payload={"subject": "x", "letter_number": "1", "letter_date": "2026-11-25"},
        )
    assert not ExchangeMessage.objects.exists()


def test_attachments_must_be_pdf_or_images(town_a, town_b):
    payload = {"subject": "x", "letter_number": "1", "letter_date": "2026-11-25"}
    with pytest.raises(ValidationError):
        exchange.send(
            kind="letter",
            sender_code=town_a.lao_code,
            recipient_code=town_b.lao_code,
            payload=payload,
            attachments=[exchange.Attachment("run.exe", "application/x-msdownload", b"MZ")],
        )


def test_top_secret_letters_are_never_sent_electronically(town_a, town_b):
    connection.set_tenant(town_a)
    configure_town()
    people = staff_set()
    letter = approved_letter(people, secrecy="top_secret")
    with pytest.raises(ValidationError):
        actions.send_letter(letter_id=letter.pk, by=people["clerk"], recipient_codes=[town_b.lao_code])
    assert not ExchangeMessage.objects.exists()
    actions.send_letter(letter_id=letter.pk, by=people["clerk"], paper_recipients=["เทศบาลตำบลเบตา"])
    assert LetterRecipient.objects.get(letter=letter).status == RecipientStatus.PAPER


def test_auto_registration_numbers_on_arrival_and_acknowledges(town_a, town_b):
    _letter, message, _people = _send_from_a_to_b(town_a, town_b)
    connection.set_tenant(town_b)
    config = actions.saraban_settings()
    config.auto_register_exchange = True
    config.save()
    exchange.deliver(message.pk)
    received = Letter.objects.get(exchange_message_id=message.public_id)
    assert received.status == LetterStatus.REGISTERED
    assert received.register_entries.count() == 1
    assert ExchangeMessage.objects.filter(answers=message, payload__status="registered").exists()



def test_a_delivery_inside_a_request_never_names_the_senders_user_in_the_recipients_audit(town_a, town_b):
    """An exchange delivery run in the sender's request (eager Celery, as in the browser tests)
    writes in the recipient's schema; the sender's signed-in user is no user there, so nothing in
    the recipient's audit log names them (found when an id pointed at no row: a foreign-key error)."""
    from auditlog.context import set_actor
    from auditlog.models import LogEntry

    _letter, message, people_a = _send_from_a_to_b(town_a, town_b)
    with set_actor(people_a["clerk"]):
        assert exchange.deliver(message.pk) == MessageStatus.DELIVERED
    connection.set_tenant(town_b)
    received = Letter.objects.get(exchange_message_id=message.public_id)
    entries = LogEntry.objects.get_for_object(received)
    assert entries.exists()
    assert not entries.filter(actor__isnull=False).exists()
    connection.set_schema_to_public()


def test_no_request_actor_restores_the_requests_actor_afterwards(in_town_a):
    from auditlog.context import set_actor
    from auditlog.models import LogEntry

    from services.common.audit_context import no_request_actor
    from services.complaints.models import Category
    from tests.factories import make_user

    user = make_user(username="audit-actor")
    category = Category.objects.get(code="road")
    with set_actor(user):
        with no_request_actor():
            category.name_en = "Road (1)"
            category.save()
        assert LogEntry.objects.get_for_object(category).latest("timestamp").actor_id is None
        category.name_en = "Road (2)"
        category.save()
        assert LogEntry.objects.get_for_object(category).latest("timestamp").actor_id == user.pk
