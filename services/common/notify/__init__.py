"""Adapters to the outside world's messaging (email, SMS, LINE), one interface each.

The development and test implementations write to files under .data/outbox/ so that nothing
leaves the machine; production selects real providers with settings (NOTIFY_SMS_ADAPTER, …).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string


class DeliveryError(Exception):
    """The provider refused or failed; the outbox will retry."""


class Adapter(Protocol):
    def send(self, *, recipient: str, subject: str, body: str, idempotency_key: str) -> None: ...


class EmailAdapter:
    def send(self, *, recipient: str, subject: str, body: str, idempotency_key: str) -> None:
        message = EmailMessage(subject=subject, body=body, to=[recipient], headers={"X-Idempotency-Key": idempotency_key})
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # SMTP errors come in many classes
            raise DeliveryError(str(exc)) from exc


class FileAdapter:
    """Local stand-in for SMS and LINE providers: one JSON line per message, per town."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, *, recipient: str, subject: str, body: str, idempotency_key: str) -> None:
        folder = Path(settings.DATA_DIR) / "outbox" / connection.schema_name
        folder.mkdir(parents=True, exist_ok=True)
        record = {"at": timezone.now().isoformat(), "to": recipient, "subject": subject, "body": body,
                  "key": idempotency_key}
        with (folder / f"{self.channel}.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def adapter_for(channel: str) -> Adapter:
    path = getattr(settings, f"NOTIFY_{channel.upper()}_ADAPTER", "")
    if path:
        return import_string(path)()
    if channel == "email":
        return EmailAdapter()
    return FileAdapter(channel)
