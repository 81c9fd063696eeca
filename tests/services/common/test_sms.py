"""SMS through the outbox to a local server speaking ThaiBulkSMS v2 and Twilio on loopback: what
each provider answer does to the message row (sent with the provider's id, retried, failed with the
reason, failed over), per town and never twice."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from services.common import outbox
from services.common.models import MessagingSettings, OutboxMessage
from services.common.notify.simulator import ProviderSimulator
from services.common.notify.sms_parts import sms_size

THAI = "เทศบาลตำบลอัลฟ่า: รับเรื่องแล้ว ALP-2569-000123"


@pytest.fixture
def provider():
    with ProviderSimulator(slow_seconds=1.5) as simulator:
        yield simulator


@pytest.fixture
def thaibulksms(settings, provider):
    settings.SMS_PROVIDER = "thaibulksms"
    settings.SMS_FAILOVER_PROVIDER = ""
    settings.THAIBULKSMS_URL = provider.url
    settings.THAIBULKSMS_API_KEY = provider.thaibulksms_key
    settings.THAIBULKSMS_API_SECRET = provider.thaibulksms_secret
    settings.THAIBULKSMS_SENDER = "ALPHA"
    settings.TWILIO_URL = provider.url
    settings.TWILIO_ACCOUNT_SID = provider.twilio_sid
    settings.TWILIO_AUTH_TOKEN = provider.twilio_token
    settings.TWILIO_FROM = "+15005550006"
    settings.SMS_TIMEOUT = 0.5
    settings.SMS_PRICE_PER_PART = "0.35"
    return provider


def _queue(key: str, to: str = "081-234-5678", body: str = THAI) -> OutboxMessage:
    return outbox.enqueue(channel="sms", recipient=to, body=body, key=key)


def _due_now(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


def test_thai_text_counts_70_alone_and_67_per_part_when_split():
    assert sms_size("ก" * 70).parts == 1
    assert sms_size("ก" * 71).parts == 2
    assert sms_size("ก" * 134).parts == 2
    assert sms_size("ก" * 135).parts == 3
    assert sms_size("a" * 160).parts == 1 and sms_size("a" * 161).parts == 2
    assert sms_size("a" * 306).parts == 2 and sms_size("a" * 307).parts == 3
    assert sms_size("{" * 80).units == 160  # GSM extension characters take two septets
    assert sms_size("😀" * 35).units == 70  # outside the BMP: two UTF-16 units each
    assert sms_size("").parts == 0


def test_a_message_reaches_thaibulksms_with_its_id_parts_and_cost(in_town_a, thaibulksms):
    message = _queue("sms-ok")
    assert outbox.deliver(message.pk) == "sent"
    [request] = thaibulksms.sent_to("/sms")
    assert request.form["msisdn"] == "66812345678"
    assert request.form["message"] == THAI
    assert request.form["sender"] == "ALPHA" and request.form["force"] == "corporate"
    message.refresh_from_db()
    assert message.provider == "thaibulksms" and len(message.provider_message_id) == 20
    assert message.provider_status == "accepted" and message.segments == 1
    assert message.cost == Decimal("0.35")
    assert outbox.deliver(message.pk) == "skipped"
    assert len(thaibulksms.sent_to("/sms")) == 1  # a second delivery call sends nothing


def test_wrong_credentials_are_a_retryable_failure_with_the_reason_and_no_secret(in_town_a, thaibulksms, settings, caplog):
    settings.THAIBULKSMS_API_SECRET = "not-the-secret-xyz"
    message = _queue("sms-401")
    with caplog.at_level(logging.DEBUG):
        assert outbox.deliver(message.pk) == "pending"
    message.refresh_from_db()
    assert "401" in message.last_error and "invalid" in message.last_error
    assert message.next_attempt_at is not None
    assert "not-the-secret-xyz" not in message.last_error and "not-the-secret-xyz" not in caplog.text


def test_a_bad_number_fails_at_once_and_is_never_retried(in_town_a, thaibulksms):
    thaibulksms.script("bad_number")
    message = _queue("sms-bad")
    assert outbox.deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert "bad number" in message.last_error and message.provider_status == "refused"
    _due_now(message)
    assert outbox.deliver(message.pk) == "skipped"
    assert len(thaibulksms.sent_to("/sms")) == 1


@pytest.mark.parametrize("to", ["+1 415 555 0100", "12345", "02-123-4567"])
def test_a_number_that_is_not_a_thai_mobile_fails_without_calling_the_provider(in_town_a, thaibulksms, to):
    message = _queue(f"sms-not-thai-{to}", to=to)
    assert outbox.deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert "not a" in message.last_error
    assert thaibulksms.requests == []


def test_a_message_over_the_size_limit_is_refused_with_the_count(in_town_a, thaibulksms, settings):
    settings.SMS_MAX_PARTS = 2
    message = _queue("sms-long", body="ก" * 135)
    assert outbox.deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert "135 characters = 3 parts" in message.last_error
    assert thaibulksms.requests == []


def test_a_5xx_is_retried_with_backoff_then_sent_once(in_town_a, thaibulksms):
    thaibulksms.script("500")
    message = _queue("sms-5xx")
    assert outbox.deliver(message.pk) == "pending"
    message.refresh_from_db()
    assert "HTTP 500" in message.last_error
    assert message.next_attempt_at > timezone.now() + dt.timedelta(seconds=20)
    assert outbox.deliver(message.pk) == "skipped"  # backing off
    _due_now(message)
    assert outbox.deliver(message.pk) == "sent"
    assert len(thaibulksms.sent_to("/sms")) == 2
    message.refresh_from_db()
    assert message.last_error == "" and message.attempts == 2


def test_a_provider_that_does_not_answer_in_time_is_retried(in_town_a, thaibulksms):
    thaibulksms.script("timeout")
    message = _queue("sms-timeout")
    assert outbox.deliver(message.pk) == "pending"
    message.refresh_from_db()
    assert "no answer within 0.5 s" in message.last_error


@pytest.mark.parametrize(("answer", "reason"), [
    ("html", "not JSON (text/html"),
    ("empty", "not JSON (application/json, 0 bytes)"),
    ("error_in_200", "Credit is not enough"),
])
def test_odd_answers_are_recorded_failures_not_crashes(in_town_a, thaibulksms, answer, reason):
    thaibulksms.script(answer)
    message = _queue(f"sms-odd-{answer}")
    assert outbox.deliver(message.pk) == "pending"
    message.refresh_from_db()
    assert reason in message.last_error and message.status == "pending"


def test_after_n_failures_the_second_provider_carries_it(in_town_a, thaibulksms, settings):
    settings.SMS_FAILOVER_PROVIDER = "twilio"
    settings.SMS_FAILOVER_AFTER = 2
    thaibulksms.script("500", "500")
    message = _queue("sms-failover")
    for _ in range(2):
        assert outbox.deliver(message.pk) == "pending"
        _due_now(message)
    assert outbox.deliver(message.pk) == "sent"
    assert len(thaibulksms.sent_to("/sms")) == 2
    [twilio] = thaibulksms.sent_to("/2010-04-01/")
    assert twilio.form["To"] == "+66812345678" and twilio.form["Body"] == THAI
    assert twilio.form["StatusCallback"].endswith("/messages/receipts/twilio/")
    message.refresh_from_db()
    assert message.provider == "twilio" and message.provider_message_id.startswith("SM")
    assert message.provider_status == "queued"


def test_twilio_refusing_a_number_is_permanent(in_town_a, thaibulksms, settings):
    settings.SMS_PROVIDER = "twilio"
    thaibulksms.script("bad_number")
    message = _queue("sms-twilio-bad")
    assert outbox.deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert "21211" in message.last_error


def test_twilio_200_with_an_error_inside_is_retried(in_town_a, thaibulksms, settings):
    settings.SMS_PROVIDER = "twilio"
    thaibulksms.script("error_in_200")
    message = _queue("sms-twilio-200err")
    assert outbox.deliver(message.pk) == "pending"
    message.refresh_from_db()
    assert "30001" in message.last_error


def test_a_town_with_its_own_account_uses_its_sealed_credentials(in_town_a, thaibulksms, settings):
    settings.THAIBULKSMS_API_KEY = "platform-key"
    settings.THAIBULKSMS_API_SECRET = "platform-secret"
    row = MessagingSettings.current()
    row.sms_provider = "thaibulksms"
    row.thaibulksms_api_key = thaibulksms.thaibulksms_key
    row.thaibulksms_api_secret = thaibulksms.thaibulksms_secret
    row.thaibulksms_sender = "TOWNA"
    row.sms_price_per_part = Decimal("0.25")
    row.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT thaibulksms_api_secret FROM common_messagingsettings WHERE id = %s", [row.pk])
        stored = cursor.fetchone()[0]
    assert thaibulksms.thaibulksms_secret not in stored  # sealed at rest
    message = _queue("sms-town-own", body="x" * 200)
    assert outbox.deliver(message.pk) == "sent"
    [request] = thaibulksms.sent_to("/sms")
    assert request.form["sender"] == "TOWNA"
    message.refresh_from_db()
    assert message.segments == 3 and message.cost == Decimal("0.75")


def test_a_town_that_chose_a_provider_but_gave_no_credentials_gets_a_clear_reason(in_town_a, thaibulksms):
    MessagingSettings.objects.update_or_create(defaults={"sms_provider": "twilio"})
    message = _queue("sms-no-creds")
    assert outbox.deliver(message.pk) == "pending"
    message.refresh_from_db()
    assert "credentials missing for this town" in message.last_error
    assert thaibulksms.requests == []


def test_one_towns_account_is_not_used_by_another(in_town_a, thaibulksms, town_b, settings):
    settings.SMS_PROVIDER = "file"
    MessagingSettings.objects.update_or_create(defaults={
        "sms_provider": "thaibulksms", "thaibulksms_api_key": thaibulksms.thaibulksms_key,
        "thaibulksms_api_secret": thaibulksms.thaibulksms_secret,
    })
    connection.set_tenant(town_b)
    message = _queue("sms-town-b")
    assert outbox.deliver(message.pk) == "sent"
    message.refresh_from_db()
    assert message.provider == "file"
    assert thaibulksms.requests == []
