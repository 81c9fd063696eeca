"""`manage.py send_test_message`: one message per channel through the town's outbox and adapter,
delivered at once, the provider's id printed, a refusal an error exit."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from services.common.models import MessagingSettings, OutboxMessage
from services.common.notify.simulator import ProviderSimulator

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings):
    with ProviderSimulator() as simulator:
        settings.SMS_PROVIDER = "thaibulksms"
        settings.THAIBULKSMS_URL = simulator.url
        settings.THAIBULKSMS_API_KEY = simulator.thaibulksms_key
        settings.THAIBULKSMS_API_SECRET = simulator.thaibulksms_secret
        settings.LINE_PROVIDER = "line"
        settings.LINE_API_URL = simulator.url
        yield simulator


def _run(**options) -> str:
    out = io.StringIO()
    call_command("send_test_message", stdout=out, **options)
    return out.getvalue()


def test_sms_test_message_prints_the_provider_id(town_a, provider):
    output = _run(town="alpha", channel="sms", to="0812345678", text="ทดสอบ SMS")
    [request] = provider.sent_to("/sms")
    assert request.form["message"] == "ทดสอบ SMS"
    connection.set_tenant(town_a)
    message = OutboxMessage.objects.get(idempotency_key__startswith="test-message:")
    assert message.status == "sent" and message.provider_message_id in output
    assert "thaibulksms" in output


def test_a_refused_sms_exits_non_zero_with_the_reason(town_a, provider):
    provider.script("bad_number")
    with pytest.raises(CommandError, match="bad number"):
        _run(town="alpha", channel="sms", to="0812345678", text="ทดสอบ")


def test_line_test_message_uses_the_towns_token(town_a, provider):
    from services.complaints.models import OssSettings

    connection.set_tenant(town_a)
    OssSettings.current()
    OssSettings.objects.update(line_channel_access_token=provider.line_token)
    connection.set_schema_to_public()
    output = _run(town="alpha", channel="line", to="U1234567890abcdef", text="ทดสอบ LINE")
    [request] = provider.sent_to("/v2/bot/message/push")
    assert request.json == {"to": "U1234567890abcdef", "messages": [{"type": "text", "text": "ทดสอบ LINE"}]}
    assert "sent via line" in output


def test_email_test_message_goes_in_the_towns_name(town_a):
    connection.set_tenant(town_a)
    MessagingSettings.objects.update_or_create(defaults={
        "email_from_name": "เทศบาลอัลฟ่า", "email_from_address": "saraban@alpha.go.th",
        "email_reply_to": "oss@alpha.go.th",
    })
    connection.set_schema_to_public()
    output = _run(town="alpha", channel="email", to="citizen@example.org", text="ทดสอบอีเมล")
    [sent] = mail.outbox
    assert "saraban@alpha.go.th" in sent.from_email and sent.reply_to == ["oss@alpha.go.th"]
    assert sent.extra_headers["Message-ID"].strip("<>") in output.replace("<", "").replace(">", "")


def test_an_unknown_town_or_empty_text_is_an_error(town_a):
    with pytest.raises(CommandError, match="no town"):
        _run(town="nowhere", channel="sms", to="0812345678", text="x")
    with pytest.raises(CommandError, match="empty"):
        _run(town="alpha", channel="sms", to="0812345678", text="  ")
