"""Agencies outside the platform: signed JSON over HTTP both ways, forged and replayed refused."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.db import connection

from services.correspondence import actions
from services.correspondence.models import Letter, LetterRecipient, RecipientStatus
from services.exchange import actions as exchange
from services.exchange import signing
from services.exchange.models import ExchangeMessage, ExternalAgency, MessageStatus, RefusedInbound
from tests.services.correspondence.helpers import MINIMAL_PDF, approved_letter, configure_town, staff_set

pytestmark = pytest.mark.django_db
KEY = "s3cret-shared-key-for-tests"
URL = "/api/v1/saraban/exchange/inbound/"


def _agency(endpoint: str = "https://example.invalid/inbound") -> ExternalAgency:
    return ExternalAgency.objects.create(
        code="PVN0017", name_th="สำนักงานจังหวัดชลบุรี", endpoint=endpoint, shared_key=KEY
    )


def _letter_body(recipient_code: str, *, message_id: str | None = None, **payload) -> bytes:
    return json.dumps(
        {
            "id": message_id or str(uuid.uuid4()),
            "kind": "letter",
            "sender": "PVN0017",
            "recipient": recipient_code,
            "payload": {
                "letter_number": "ชบ 0017/ว 88",
                "letter_date": "2026-11-24",
                "subject": "แจ้งเวียนการประชุม",
                **payload,
            },
            "attachments": [
                {
                    "name": "letter.pdf",
                    "content_type": "application/pdf",
                    "sha256": hashlib.sha256(MINIMAL_PDF).hexdigest(),
                    "content_base64": base64.b64encode(MINIMAL_PDF).decode(),
                }
            ],
        },
        ensure_ascii=False,
    ).encode()


def _post(client, body: bytes, headers: dict):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
    tenant = connection.tenant
    response = client.post(URL, data=body, content_type="application/json", **extra)
    connection.set_tenant(tenant)
    return response


def test_signed_letter_from_outside_is_accepted_once_and_delivered(town_a, client_a):
    _agency()
    body = _letter_body(town_a.lao_code)
    response = _post(client_a, body, signing.signed_headers(agency_code="PVN0017", key=KEY, body=body))
    assert response.status_code == 202, response.content
    message = ExchangeMessage.objects.get(public_id=response.json()["id"])
    # The agency retries the same message (new nonce, same id): taken once.
    again = _post(client_a, body, signing.signed_headers(agency_code="PVN0017", key=KEY, body=body))
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert exchange.deliver(message.pk) == MessageStatus.DELIVERED
    connection.set_tenant(town_a)
    letter = Letter.objects.get(exchange_message_id=message.public_id)
    assert letter.subject == "แจ้งเวียนการประชุม"
    assert letter.sender_name == "สำนักงานจังหวัดชลบุรี"
    assert letter.attachments.count() == 1


def test_forged_stale_replayed_and_unknown_messages_are_refused_and_logged(town_a, town_b, client_a):
    _agency()
    body = _letter_body(town_a.lao_code)
    headers = signing.signed_headers(agency_code="PVN0017", key=KEY, body=body)
    forged = {
        **headers,
        signing.HEADER_SIGNATURE: signing.signature(
            "wrong-key", headers[signing.HEADER_TIMESTAMP], headers[signing.HEADER_NONCE], body
        ),
    }
    assert _post(client_a, body, forged).status_code == 401
    tampered = body.replace("แจ้งเวียน".encode(), "แก้ไข".encode())
    assert _post(client_a, tampered, headers).status_code == 401
    stale = signing.signed_headers(agency_code="PVN0017", key=KEY, body=body, now=time.time() - 3600)
    assert _post(client_a, body, stale).status_code == 401
    assert _post(client_a, body, headers).status_code == 202
    assert _post(client_a, body, headers).status_code == 409  # the same nonce again: a replay
    unknown = signing.signed_headers(agency_code="NOBODY", key=KEY, body=body)
    assert _post(client_a, body, unknown).status_code == 401
    to_other_town = _letter_body(town_b.lao_code)
    assert (
        _post(
            client_a,
            to_other_town,
            signing.signed_headers(agency_code="PVN0017", key=KEY, body=to_other_town),
        ).status_code
        == 400
    )
    extra_field = _letter_body(town_a.lao_code, citizen_id="1101700203450")
    response = _post(
        client_a, extra_field, signing.signed_headers(agency_code="PVN0017", key=KEY, body=extra_field)
    )
    assert response.status_code == 400
    assert response.json()["error"]["message_th"]
    reasons = sorted(RefusedInbound.objects.values_list("reason", flat=True))
    assert reasons == sorted(
        ["bad_signature", "bad_signature", "stale", "replay", "unknown_agency", "wrong_party", "invalid"]
    )
    assert ExchangeMessage.objects.count() == 1


class _Agency(BaseHTTPRequestHandler):
    received: list = []
    fail = False

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        valid = signing.is_valid_signature(
            key=KEY,
            timestamp=self.headers[signing.HEADER_TIMESTAMP],
            nonce=self.headers[signing.HEADER_NONCE],
            body=body,
            given=self.headers[signing.HEADER_SIGNATURE],
        )
        if self.fail or not valid:
            self.send_response(503 if self.fail else 401)
            self.end_headers()
            return
        type(self).received.append(json.loads(body))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def outside_agency():
    server = HTTPServer(("127.0.0.1", 0), _Agency)
    _Agency.received, _Agency.fail = [], False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_letter_to_an_outside_agency_is_posted_signed_retried_and_acknowledged(
    town_a, client_a, outside_agency
):
    agency = _agency(endpoint=f"http://127.0.0.1:{outside_agency.server_port}/inbound")
    connection.set_tenant(town_a)
    configure_town()
    people = staff_set()
    letter = approved_letter(people)
    actions.send_letter(letter_id=letter.pk, by=people["clerk"], recipient_codes=[agency.code])
    recipient = LetterRecipient.objects.get(letter=letter)
    message = ExchangeMessage.objects.get(public_id=recipient.exchange_message_id)
    _Agency.fail = True
    with pytest.raises(exchange.DeliveryPostponed):
        exchange.deliver(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert "503" in message.last_error
    _Agency.fail = False
    assert exchange.deliver(message.pk) == MessageStatus.DELIVERED
    assert exchange.deliver(message.pk) == MessageStatus.DELIVERED
    assert len(_Agency.received) == 1
    sent = _Agency.received[0]
    assert sent["id"] == str(message.public_id)
    assert sent["payload"]["subject"] == letter.subject
    assert base64.b64decode(sent["attachments"][0]["content_base64"]).startswith(b"%PDF")

    ack = json.dumps(
        {
            "id": str(uuid.uuid4()),
            "kind": "ack",
            "sender": "PVN0017",
            "recipient": town_a.lao_code,
            "answers": sent["id"],
            "payload": {"status": "registered", "reference": "รับที่ 4521"},
        }
    ).encode()
    response = _post(client_a, ack, signing.signed_headers(agency_code="PVN0017", key=KEY, body=ack))
    assert response.status_code == 202, response.content
    exchange.deliver(ExchangeMessage.objects.get(public_id=response.json()["id"]).pk)
    connection.set_tenant(town_a)
    recipient.refresh_from_db()
    assert recipient.status == RecipientStatus.REGISTERED
    assert recipient.their_reference == "รับที่ 4521"


def test_large_letters_are_taken_and_oversized_ones_refused(town_a, client_a, monkeypatch):
    from api.v1.correspondence import views

    _agency()
    scan = b"%PDF-1.4\n" + b"0" * (4 * 1024 * 1024)  # larger than Django's in-memory body limit once encoded
    body = json.dumps(
        {
            "id": str(uuid.uuid4()),
            "kind": "letter",
            "sender": "PVN0017",
            "recipient": town_a.lao_code,
            "payload": {"letter_number": "ชบ 0017/1", "letter_date": "2026-11-24", "subject": "แผนที่ขนาดใหญ่"},
            "attachments": [
                {
                    "name": "map.pdf",
                    "content_type": "application/pdf",
                    "content_base64": base64.b64encode(scan).decode(),
                }
            ],
        }
    ).encode()
    response = _post(client_a, body, signing.signed_headers(agency_code="PVN0017", key=KEY, body=body))
    assert response.status_code == 202, response.content[:300]
    monkeypatch.setattr(views, "MAX_INBOUND_BYTES", 1024)
    response = _post(client_a, body, signing.signed_headers(agency_code="PVN0017", key=KEY, body=body))
    assert response.status_code == 413


def test_an_outside_agency_without_an_endpoint_cannot_be_sent_to(town_a):
    from django.core.exceptions import ValidationError

    _agency(endpoint="")
    with pytest.raises(ValidationError):
        exchange.send(
            kind="letter",
            sender_code=town_a.lao_code,
            recipient_code="PVN0017",
            payload={"subject": "x", "letter_number": "1", "letter_date": "2026-11-25"},
        )
