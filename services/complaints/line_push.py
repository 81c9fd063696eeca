"""LINE Messaging API for the notification outbox (channel "line") and the webhook's photos.

Switched on for the deployment with LINE_PROVIDER=line (services/common/notify/line.py). It runs
in the schema of the town that queued the message, so each town's own Official Account (channel
access token, sealed in OssSettings) is used. Without a token the message fails (and is retried)
rather than being dropped; the development default stays the file adapter.

- reply (free): POST {LINE_API_URL}/v2/bot/message/reply {"replyToken", "messages"}; a token is
  good once and for a short while — an expired or used one is answered 400 "Invalid reply token",
  and the outbox then pushes instead.
- push (counts against the town's monthly quota): POST /v2/bot/message/push {"to", "messages"}
  with X-Line-Retry-Key (a UUID stable per outbox message): a retry LINE already accepted is
  answered 409, which means delivered.
- content: GET {LINE_DATA_API_URL}/v2/bot/message/{id}/content, the bytes of a photo sent in chat.
"""

from __future__ import annotations

import uuid

import requests
from django.conf import settings

from services.common.notify import Delivery, DeliveryError, PermanentDeliveryError, ReplyTokenExpired

from .models import OssSettings

MAX_TEXT = 5000  # LINE text message limit
MAX_CONTENT = 10 * 1024 * 1024  # the web upload limit (photos.MAX_UPLOAD_BYTES)


def _token() -> str:
    token = OssSettings.current().line_channel_access_token
    if not token:
        raise DeliveryError("LINE channel access token is not set for this town", provider="line")
    return token


def _post(url: str, payload: dict, headers: dict, timeout: float) -> requests.Response:
    try:
        return requests.post(url, json=payload, headers=headers, timeout=(5, timeout), allow_redirects=False)
    except requests.Timeout as exc:
        raise DeliveryError("LINE: no answer in time (retried)", provider="line") from exc
    except requests.RequestException as exc:
        raise DeliveryError(f"LINE: {type(exc).__name__}", provider="line") from exc


def _reason(response: requests.Response) -> str:
    try:
        message = response.json().get("message", "")
    except (ValueError, AttributeError):
        message = ""
    return f"LINE answered {response.status_code}" + (f": {str(message)[:200]}" if message else "")


class LinePushAdapter:
    provider = "line"
    endpoint = ""  # tests may point one adapter elsewhere; default LINE_API_URL
    timeout = 10

    def _messages(self, body: str) -> list[dict]:
        if not body.strip():
            raise PermanentDeliveryError("empty message", provider="line")
        return [{"type": "text", "text": body[:MAX_TEXT]}]

    def reply(self, *, reply_token: str, body: str) -> Delivery:
        """Answer in the conversation with the webhook's reply token (free of the push quota)."""
        headers = {"Authorization": f"Bearer {_token()}"}
        response = _post(f"{settings.LINE_API_URL}/v2/bot/message/reply",
                         {"replyToken": reply_token, "messages": self._messages(body)}, headers, self.timeout)
        if response.status_code == 400 and "reply token" in _reason(response).lower():
            raise ReplyTokenExpired(_reason(response), provider="line")
        if response.status_code >= 300:
            raise DeliveryError(_reason(response), provider="line")
        return Delivery(provider="line", message_id=response.headers.get("x-line-request-id", "")[:100],
                        status="replied")

    def send(self, *, recipient: str, subject: str, body: str, idempotency_key: str) -> Delivery:
        headers = {
            "Authorization": f"Bearer {_token()}",
            # LINE de-duplicates retried pushes that carry the same retry key (a UUID).
            "X-Line-Retry-Key": _retry_key(idempotency_key),
        }
        response = _post(self.endpoint or f"{settings.LINE_API_URL}/v2/bot/message/push",
                         {"to": recipient, "messages": self._messages(body)}, headers, self.timeout)
        if response.status_code == 409:  # already accepted under this retry key: delivered before
            return Delivery(provider="line", message_id=response.headers.get("x-line-accepted-request-id", "")[:100])
        if response.status_code == 400:
            raise PermanentDeliveryError(_reason(response), provider="line")  # e.g. not a user id
        if response.status_code >= 300:
            raise DeliveryError(_reason(response), provider="line")
        return Delivery(provider="line", message_id=response.headers.get("x-line-request-id", "")[:100])


def fetch_content(message_id: str) -> tuple[bytes, str]:
    """The bytes and content type of a photo a user sent (ValueError/DeliveryError when it cannot be had)."""
    headers = {"Authorization": f"Bearer {_token()}"}
    url = f"{settings.LINE_DATA_API_URL}/v2/bot/message/{requests.utils.quote(message_id, safe='')}/content"
    try:
        with requests.get(url, headers=headers, timeout=(5, 10), stream=True, allow_redirects=False) as response:
            if response.status_code != 200:
                raise DeliveryError(_reason(response), provider="line")
            data = b""
            for chunk in response.iter_content(64 * 1024):
                data += chunk
                if len(data) > MAX_CONTENT:
                    raise ValueError("larger than 10 MB")
            return data, response.headers.get("Content-Type", "")
    except requests.RequestException as exc:
        raise DeliveryError(f"LINE content: {type(exc).__name__}", provider="line") from exc


def _retry_key(idempotency_key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"thongthin-line:{idempotency_key}"))
