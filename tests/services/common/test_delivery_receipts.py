"""Twilio's signed delivery receipts update the message row; unsigned or foreign ones are refused."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import connection

from services.common.messaging_views import twilio_signature
from services.common.models import OutboxMessage

TOKEN = "platform-twilio-token"
URL = "http://alpha.localhost/messages/receipts/twilio/"


@pytest.fixture
def twilio(settings):
    settings.SMS_PROVIDER = "twilio"
    settings.TWILIO_ACCOUNT_SID = "AC1"
    settings.TWILIO_AUTH_TOKEN = TOKEN


def _message(sid: str) -> OutboxMessage:
    return OutboxMessage.objects.create(
        idempotency_key=f"dlr-{sid}", channel="sms", recipient="0812345678", body="x", status="sent",
        provider="twilio", provider_message_id=sid, provider_status="queued",
    )


def _post(client, fields: dict, token: str = TOKEN, url: str = URL):
    signature = twilio_signature(token, url, list(fields.items()))
    town = connection.tenant  # the request ends in the public schema; the test reads on in the town's
    try:
        return client.post("/messages/receipts/twilio/", urlencode(fields),
                           content_type="application/x-www-form-urlencoded", HTTP_X_TWILIO_SIGNATURE=signature)
    finally:
        connection.set_tenant(town)


def test_a_signed_receipt_marks_the_message_delivered(client_a, in_town_a, twilio):
    message = _message("SM1")
    response = _post(client_a, {"MessageSid": "SM1", "MessageStatus": "delivered", "AccountSid": "AC1"})
    assert response.status_code == 204
    message.refresh_from_db()
    assert message.provider_status == "delivered" and message.provider_status_at is not None


def test_an_undelivered_receipt_keeps_the_reason_and_a_late_sent_does_not_undo_delivered(client_a, in_town_a, twilio):
    message = _message("SM2")
    assert _post(client_a, {"MessageSid": "SM2", "MessageStatus": "undelivered", "ErrorCode": "30003"}).status_code == 204
    message.refresh_from_db()
    assert message.provider_status == "undelivered" and "30003" in message.last_error
    assert _post(client_a, {"MessageSid": "SM2", "MessageStatus": "sent"}).status_code == 204
    message.refresh_from_db()
    assert message.provider_status == "undelivered"


def test_a_wrong_or_missing_signature_is_refused(client_a, in_town_a, twilio):
    message = _message("SM3")
    assert _post(client_a, {"MessageSid": "SM3", "MessageStatus": "delivered"}, token="guess").status_code == 403
    response = client_a.post("/messages/receipts/twilio/", {"MessageSid": "SM3", "MessageStatus": "delivered"})
    assert response.status_code == 403
    connection.set_tenant(in_town_a)
    message.refresh_from_db()
    assert message.provider_status == "queued"


def test_a_receipt_for_another_towns_message_is_not_found_here(client_b, in_town_a, twilio):
    _message("SM4")  # in town A's schema
    response = _post(client_b, {"MessageSid": "SM4", "MessageStatus": "delivered"}, url="http://beta.localhost/messages/receipts/twilio/")
    assert response.status_code == 404


def test_a_receipt_without_a_status_is_a_400(client_a, in_town_a, twilio):
    assert _post(client_a, {"MessageSid": "SM5"}).status_code == 400
