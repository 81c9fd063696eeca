"""Adapters to the outside world's messaging (e-mail, SMS, LINE), one interface each.

`adapter_for(channel)` picks the adapter: the town's own choice (MessagingSettings, LINE channel
in OssSettings), else the platform's (SMS_PROVIDER, LINE_PROVIDER, Django's EMAIL_BACKEND). The
`file` provider, the development default, writes one JSON line per message under
DATA_DIR/outbox/<schema>/ and sends nothing, so `make run` needs no account anywhere.

An adapter's `send()` returns a `Delivery` (who carried it, their message id, parts and cost) or
raises `DeliveryError` (the outbox retries with backoff) or `PermanentDeliveryError` (retrying
cannot help — a bad number, a message over the provider's size — the row fails at once). Reasons
are written for the town's staff; they never carry a credential.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string


class DeliveryError(Exception):
    """The provider refused or failed; the outbox will retry."""

    def __init__(self, reason: str = "", *, provider: str = "") -> None:
        super().__init__(reason)
        self.provider = provider


class PermanentDeliveryError(DeliveryError):
    """Refused for good (bad number, too long, blocked): sending again would fail the same way."""


class ReplyTokenExpired(DeliveryError):
    """A conversation's reply token was used or has expired: the outbox pushes instead."""


@dataclass(frozen=True)
class Delivery:
    """What the provider answered when it took the message."""

    provider: str
    message_id: str = ""
    status: str = "accepted"
    segments: int = 0
    cost: Decimal = Decimal(0)


class Adapter(Protocol):
    def send(self, *, recipient: str, subject: str, body: str, idempotency_key: str) -> Delivery | None: ...


class FileAdapter:
    """Local stand-in for SMS and LINE providers: one JSON line per message, per town."""

    provider = "file"

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, *, recipient: str, subject: str, body: str, idempotency_key: str) -> Delivery:
        folder = Path(settings.DATA_DIR) / "outbox" / connection.schema_name
        folder.mkdir(parents=True, exist_ok=True)
        record = {"at": timezone.now().isoformat(), "to": recipient, "subject": subject, "body": body,
                  "key": idempotency_key}
        with (folder / f"{self.channel}.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return Delivery(provider="file", message_id=f"file:{idempotency_key}"[:100])


from .email import EmailAdapter  # noqa: E402  (needs Delivery/DeliveryError above)


def adapter_for(channel: str, *, attempt: int = 1) -> Adapter:
    """The adapter for this channel in the current town; `attempt` (1-based) lets SMS fail over."""
    path = getattr(settings, f"NOTIFY_{channel.upper()}_ADAPTER", "")
    if path:
        return import_string(path)()
    if channel == "email":
        return EmailAdapter()
    if channel == "sms":
        from .sms import sms_adapter

        return sms_adapter(attempt=attempt)
    if channel == "line":
        from .line import line_adapter

        return line_adapter()
    return FileAdapter(channel)
