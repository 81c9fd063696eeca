"""What every messaging adapter shares: the answer (`Delivery`), the failures, the interface and the
local file stand-in (the adapters import this, never the package that picks among them)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import connection
from django.utils import timezone


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
