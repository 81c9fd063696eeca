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

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Adapter, Delivery, DeliveryError, FileAdapter, PermanentDeliveryError, ReplyTokenExpired
from .email import EmailAdapter

__all__ = [
    "Adapter", "Delivery", "DeliveryError", "FileAdapter", "PermanentDeliveryError", "ReplyTokenExpired", "adapter_for",
]


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
