"""LINE Messaging API push adapter for the notification outbox (channel "line").

Select it with NOTIFY_LINE_ADAPTER="services.complaints.line_push.LinePushAdapter". It runs inside
the outbox task, which runs in the schema of the town that queued the message, so each town's
own channel access token is used. Without a token the message fails (and is retried) rather than
being dropped; the development default stays the foundation's file adapter.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from services.common.notify import DeliveryError

from .models import OssSettings

PUSH_ENDPOINT = "https://api.line.me/v2/bot/message/push"
MAX_TEXT = 5000  # LINE text message limit


class LinePushAdapter:
    endpoint = PUSH_ENDPOINT
    timeout = 10

    def send(self, *, recipient: str, subject: str, body: str, idempotency_key: str) -> None:
        token = OssSettings.current().line_channel_access_token
        if not token:
            raise DeliveryError("LINE channel access token is not set for this town")
        payload = json.dumps(
            {"to": recipient, "messages": [{"type": "text", "text": body[:MAX_TEXT]}]}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - fixed https endpoint (a loopback fake in tests)
            self.endpoint,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {token}",
                # LINE de-duplicates retried pushes that carry the same retry key (a UUID).
                "X-Line-Retry-Key": _retry_key(idempotency_key),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                if response.status >= 300:
                    raise DeliveryError(f"LINE answered {response.status}")
        except urllib.error.HTTPError as exc:
            if exc.code == 409:  # already accepted under this retry key: delivered before
                return
            raise DeliveryError(f"LINE answered {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(str(exc)) from exc


def _retry_key(idempotency_key: str) -> str:
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"thongthin-line:{idempotency_key}"))
