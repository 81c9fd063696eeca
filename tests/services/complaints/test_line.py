"""LINE webhook: signature check, text-then-location conversation, replies through the outbox."""

from __future__ import annotations

import json

import pytest

from services.common.models import OutboxMessage
from services.complaints.models import Complaint, OssSettings
from services.complaints.views.line import signature_for

pytestmark = pytest.mark.django_db
URL = "/complaints/line/webhook/"
SECRET = "line-secret-for-tests"


def _event(kind: str, **message) -> dict:
    return {
        "type": "message",
        "webhookEventId": f"ev-{kind}-{message.get('id', 1)}",
        "replyToken": "r",
        "source": {"type": "user", "userId": "U1234567890abcdef"},
        "message": {"type": kind, **message},
    }


def _send(client, *events, secret=SECRET, signature=None):
    body = json.dumps({"destination": "x", "events": list(events)}, ensure_ascii=False).encode()
    headers = {} if signature == "" else {"HTTP_X_LINE_SIGNATURE": signature or signature_for(secret, body)}
    return client.post(URL, body, content_type="application/json", **headers)


@pytest.fixture
def line_on(in_town_a):
    OssSettings.objects.update(line_channel_secret=SECRET)


def test_webhook_is_off_until_the_town_sets_its_secret(client_a, in_town_a):
    assert _send(client_a, _event("text", text="x")).status_code == 404


def test_bad_or_missing_signature_is_refused(client_a, line_on):
    assert _send(client_a, _event("text", text="x"), secret="wrong").status_code == 403
    assert _send(client_a, _event("text", text="x"), signature="").status_code == 403
    assert not OutboxMessage.objects.exists()


def test_text_then_location_files_a_case_and_replies_on_line(client_a, line_on):
    assert _send(client_a, _event("text", id=1, text="ไฟฟ้าส่องสว่างดับทั้งซอย 3")).status_code == 200
    assert OutboxMessage.objects.filter(channel="line", recipient="U1234567890abcdef").count() == 1
    response = _send(client_a, _event("location", id=2, latitude=12.751, longitude=100.901, address="ซอย 3"))
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.category.code) == ("line", "streetlight")
    assert complaint.reporter_line_id == "U1234567890abcdef"
    replies = OutboxMessage.objects.filter(channel="line").values_list("body", flat=True)
    assert any(complaint.tracking_code in body for body in replies)


def test_location_outside_the_town_is_answered_not_filed(client_a, line_on):
    _send(client_a, _event("text", id=1, text="ขยะล้น"))
    _send(client_a, _event("location", id=2, latitude=12.9, longitude=100.9))
    assert not Complaint.objects.exists()
    assert any("นอกเขต" in b for b in OutboxMessage.objects.values_list("body", flat=True))


def test_garbage_json_with_a_valid_signature_is_400(client_a, line_on):
    body = b"{not json"
    response = client_a.post(
        URL, body, content_type="application/json", HTTP_X_LINE_SIGNATURE=signature_for(SECRET, body)
    )
    assert response.status_code == 400


def test_push_adapter_sends_with_the_towns_token_and_a_stable_retry_key(in_town_a):
    import http.server
    import threading

    from services.common.notify import DeliveryError
    from services.complaints.line_push import LinePushAdapter

    received = []

    class Fake(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append((dict(self.headers), json.loads(self.rfile.read(length))))
            self.send_response(409 if len(received) > 1 else 200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Fake)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    adapter = LinePushAdapter()
    adapter.endpoint = f"http://127.0.0.1:{server.server_port}/v2/bot/message/push"
    try:
        with pytest.raises(DeliveryError):
            adapter.send(recipient="U1", subject="", body="x", idempotency_key="k1")  # no token yet
        OssSettings.objects.update(line_channel_access_token="town-a-token")
        adapter.send(recipient="U1", subject="", body="สวัสดี", idempotency_key="k1")
        adapter.send(recipient="U1", subject="", body="สวัสดี", idempotency_key="k1")  # 409 = already sent
    finally:
        server.shutdown()
    headers, payload = received[0]
    assert headers["Authorization"] == "Bearer town-a-token"
    assert payload == {"to": "U1", "messages": [{"type": "text", "text": "สวัสดี"}]}
    assert received[0][0]["X-Line-Retry-Key"] == received[1][0]["X-Line-Retry-Key"]
