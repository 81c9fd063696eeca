"""LINE Messaging API webhook: residents file by chatting with the town's LINE Official Account.

Enabled per town when it sets its channel secret. Every request must carry X-Line-Signature =
base64(HMAC-SHA256(channel secret, raw body)); anything else is refused with 403 before parsing.
Conversation: the resident sends the description as text, then shares a location; the case is
filed in category matched by the text (else "other") and replies go out through the outbox's
`line` channel (a file adapter locally, the LINE push API in production).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from services.common import outbox

from .. import actions
from ..models import Category, Complaint, OssSettings

MAX_BODY = 256 * 1024


def signature_for(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _reply(user_id: str, text: str, key: str) -> None:
    outbox.enqueue(channel="line", recipient=user_id, body=text, key=f"line:{key}")


def _category_for(text: str) -> Category:
    lowered = text.lower()
    for category in Category.objects.filter(is_active=True, allow_anonymous=True).exclude(code="other"):
        words = [w.strip().lower() for w in (category.keywords or "").split(",") if w.strip()]
        if any(word and word in lowered for word in words):
            return category
    return Category.objects.get(code="other")


def _handle(event: dict) -> None:
    source = event.get("source") or {}
    user_id = str(source.get("userId") or "")[:64]
    message = event.get("message") or {}
    event_id = str(event.get("webhookEventId") or message.get("id") or "")[:80]
    if event.get("type") != "message" or not user_id:
        return
    if message.get("type") == "text":
        actions.remember_line_text(line_user_id=user_id, text=str(message.get("text", "")))
        _reply(
            user_id,
            "รับรายละเอียดแล้ว กรุณากด + แล้วเลือก “ตำแหน่งที่ตั้ง” เพื่อส่งตำแหน่งของเรื่อง (Now share the location)",
            f"{event_id}:ask-location",
        )
    elif message.get("type") == "location":
        draft = actions.take_line_draft(line_user_id=user_id)
        if not draft:
            _reply(
                user_id,
                "กรุณาพิมพ์รายละเอียดของเรื่องก่อน แล้วจึงส่งตำแหน่ง (Send the description first)",
                f"{event_id}:need-text",
            )
            return
        try:
            latitude = Decimal(str(message.get("latitude"))).quantize(Decimal("0.000001"))
            longitude = Decimal(str(message.get("longitude"))).quantize(Decimal("0.000001"))
        except (InvalidOperation, TypeError, ValueError):
            _reply(
                user_id, "อ่านตำแหน่งไม่ได้ กรุณาส่งใหม่ (Could not read the location)", f"{event_id}:bad-location"
            )
            actions.remember_line_text(line_user_id=user_id, text=draft)
            return
        filing = actions.Filing(
            category=_category_for(draft),
            description=draft,
            latitude=latitude,
            longitude=longitude,
            address_text=str(message.get("address") or "")[:300],
            is_anonymous=True,
        )
        try:
            actions.submit_complaint(
                filing=filing, channel=Complaint.Channel.LINE, line_user_id=user_id, ip=f"line:{user_id}"
            )
        except ValidationError as exc:
            actions.remember_line_text(line_user_id=user_id, text=draft)
            _reply(user_id, " ".join(exc.messages), f"{event_id}:invalid")
        except actions.RateLimited:
            _reply(user_id, actions.RateLimited.message, f"{event_id}:limited")
        # On success the reporter hears the tracking code through the "received" notification.


@csrf_exempt
@require_POST
def webhook(request):
    settings = OssSettings.current()
    if not settings.line_enabled:
        return JsonResponse({"error": "LINE is not enabled for this town"}, status=404)
    body = request.body
    if len(body) > MAX_BODY:
        return JsonResponse({"error": "payload too large"}, status=413)
    given = request.headers.get("X-Line-Signature", "")
    if not given or not hmac.compare_digest(given, signature_for(settings.line_channel_secret, body)):
        return JsonResponse({"error": "invalid signature"}, status=403)
    try:
        payload = json.loads(body)
        events = payload.get("events", [])
        if not isinstance(events, list):
            raise ValueError
    except (ValueError, AttributeError):
        return JsonResponse({"error": "invalid JSON"}, status=400)
    for event in events[:100]:
        if isinstance(event, dict):
            _handle(event)
    return HttpResponse(status=200)
