"""LINE for real, against a local server speaking the Messaging API: replies with the webhook's
token first (free), push when it has expired; redelivered events acted on once; photos fetched
through the content API and checked like web uploads; the LINE reporter's link opens the case."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.utils import timezone

from services.common import outbox
from services.common.models import OutboxMessage
from services.common.notify.simulator import ProviderSimulator
from services.complaints.models import Complaint, LineDraftPhoto, OssSettings
from services.complaints.views.line import signature_for

from .conftest import jpeg_bytes

pytestmark = pytest.mark.django_db
URL = "/complaints/line/webhook/"
SECRET = "line-secret-delivery"
USER = "U1234567890abcdef1234567890abcdef"


@pytest.fixture
def line(in_town_a, settings):
    with ProviderSimulator() as provider:
        settings.LINE_PROVIDER = "line"
        settings.LINE_API_URL = provider.url
        settings.LINE_DATA_API_URL = provider.url
        OssSettings.current()
        OssSettings.objects.update(line_channel_secret=SECRET, line_channel_access_token=provider.line_token)
        yield provider


def _event(kind: str, n: int, redelivery: bool = False, **message) -> dict:
    return {
        "type": "message", "webhookEventId": f"01EV{kind}{n}", "replyToken": f"reply-{kind}-{n}",
        "deliveryContext": {"isRedelivery": redelivery}, "timestamp": 1700000000000,
        "source": {"type": "user", "userId": USER}, "message": {"type": kind, "id": str(n), **message},
    }


def _send(client, *events):
    body = json.dumps({"destination": "Ux", "events": list(events)}, ensure_ascii=False).encode()
    return client.post(URL, body, content_type="application/json", HTTP_X_LINE_SIGNATURE=signature_for(SECRET, body))


def _deliver_all() -> None:
    for pk in OutboxMessage.objects.filter(channel="line", status="pending").values_list("pk", flat=True):
        outbox.deliver(pk)


def test_the_answer_uses_the_reply_token_not_a_push(client_a, line):
    assert _send(client_a, _event("text", 1, text="ไฟดับซอย 5")).status_code == 200
    _deliver_all()
    [reply] = line.sent_to("/v2/bot/message/reply")
    assert reply.json["replyToken"] == "reply-text-1"
    assert line.sent_to("/v2/bot/message/push") == []
    message = OutboxMessage.objects.get(channel="line")
    assert message.status == "sent" and message.provider_status == "replied" and message.reply_token == ""


def test_an_expired_reply_token_falls_back_to_push(client_a, line):
    line.script("expired_token")
    _send(client_a, _event("text", 2, text="ไฟดับซอย 6"))
    _deliver_all()
    assert len(line.sent_to("/v2/bot/message/reply")) == 1
    [push] = line.sent_to("/v2/bot/message/push")
    assert push.json["to"] == USER


def test_an_old_message_is_pushed_without_trying_its_token(client_a, line):
    _send(client_a, _event("text", 3, text="ไฟดับซอย 7"))
    OutboxMessage.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    _deliver_all()
    assert line.sent_to("/v2/bot/message/reply") == []
    assert len(line.sent_to("/v2/bot/message/push")) == 1


def test_a_redelivered_event_is_acted_on_once(client_a, line):
    _send(client_a, _event("text", 4, text="ขยะล้นถัง"))
    _send(client_a, _event("location", 5, latitude=12.751, longitude=100.901))
    _send(client_a, _event("location", 5, redelivery=True, latitude=12.751, longitude=100.901))
    assert Complaint.objects.count() == 1
    assert not OutboxMessage.objects.filter(body__contains="Send the description first").exists()


def test_a_photo_sent_in_chat_is_fetched_checked_and_filed_with_the_case(client_a, line):
    line.content["10"] = (jpeg_bytes(), "image/jpeg")
    line.content["11"] = (b"MZ\x90 not an image", "image/jpeg")
    _send(client_a, _event("text", 9, text="ถนนเป็นหลุม"))
    _send(client_a, _event("image", 10, contentProvider={"type": "line"}))
    _send(client_a, _event("image", 11, contentProvider={"type": "line"}))
    assert LineDraftPhoto.objects.count() == 1
    refused = OutboxMessage.objects.get(idempotency_key__endswith=":photo-refused")
    assert "not a readable image" in refused.body
    content = line.sent_to("/v2/bot/message/10/content")[0]
    assert content.headers["Authorization"] == f"Bearer {line.line_token}"
    _send(client_a, _event("location", 12, latitude=12.751, longitude=100.901))
    complaint = Complaint.objects.get()
    assert complaint.photos.count() == 1
    assert not LineDraftPhoto.objects.exists()


def test_the_line_reporter_gets_a_link_that_opens_their_case(client_a, line):
    _send(client_a, _event("text", 20, text="ไฟดับซอย 9"))
    _send(client_a, _event("location", 21, latitude=12.751, longitude=100.901))
    complaint = Complaint.objects.get()
    received = OutboxMessage.objects.get(idempotency_key__startswith=f"oss:{complaint.pk}:", channel="line")
    assert f"/complaints/t/{complaint.access_token}/" in received.body
    path = received.body.split("localhost", 1)[1].split()[0]
    path = path.split("/", 1)[1] if path.startswith(":") else path
    response = client_a.get("/" + path.lstrip("/"), follow=True)
    assert response.status_code == 200 and complaint.tracking_code in response.content.decode()


def test_line_credentials_are_sealed_at_rest(line):
    with connection.cursor() as cursor:
        cursor.execute("SELECT line_channel_secret, line_channel_access_token FROM complaints_osssettings")
        secret, token = cursor.fetchone()
    assert SECRET not in secret and line.line_token not in token
    assert OssSettings.current().line_channel_secret == SECRET


def test_the_case_page_shows_whether_the_reporters_sms_was_delivered(client_a, category, staff, settings):
    from .conftest import file_complaint

    settings.SMS_PROVIDER = "file"
    complaint = file_complaint(category, reporter_phone="0812345678")
    sms = OutboxMessage.objects.get(idempotency_key__startswith=f"oss:{complaint.pk}:", channel="sms")
    assert outbox.deliver(sms.pk) == "sent"
    OutboxMessage.objects.filter(pk=sms.pk).update(provider_status="undelivered", last_error="twilio: undelivered (error 30003)")
    client_a.force_login(staff["oss"])
    body = client_a.get(f"/complaints/staff/{complaint.pk}/").content.decode()
    section = body.split('id="reporter-messages"', 1)[1]
    assert "undelivered" in section and "30003" in section


def test_the_received_notice_answers_the_location_event_with_its_reply_token(client_a, line):
    _send(client_a, _event("text", 30, text="ไฟดับซอย 11"))
    _send(client_a, _event("location", 31, latitude=12.751, longitude=100.901))
    complaint = Complaint.objects.get()
    _deliver_all()
    replies = {r.json["replyToken"]: r.json for r in line.sent_to("/v2/bot/message/reply")}
    assert set(replies) == {"reply-text-30", "reply-location-31"}  # both answers free, none pushed
    assert complaint.tracking_code in json.dumps(replies["reply-location-31"], ensure_ascii=False)
    assert line.sent_to("/v2/bot/message/push") == []


def test_a_reply_token_is_used_by_one_message_only(in_town_a):
    with outbox.replying(channel="line", recipient=USER, reply_token="tok-1"):
        first = outbox.enqueue(channel="line", recipient=USER, body="a", key="rt-1")
        second = outbox.enqueue(channel="line", recipient=USER, body="b", key="rt-2")
        other = outbox.enqueue(channel="line", recipient="Uother", body="c", key="rt-3")
    after = outbox.enqueue(channel="line", recipient=USER, body="d", key="rt-4")
    assert [m.reply_token for m in (first, second, other, after)] == ["tok-1", "", "", ""]
