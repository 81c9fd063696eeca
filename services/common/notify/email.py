"""E-mail through Django's configured backend, in the town's own name.

From is "<town's display name> <address>": the town's address on its own domain when it set one on
its messaging page, else the platform's DEFAULT_FROM_EMAIL with the town's name shown; Reply-To
is the town's desk when given, so a citizen's answer reaches the town, not the platform.
"""

from __future__ import annotations

from email.utils import formataddr, make_msgid

from django.conf import settings
from django.core.mail import EmailMessage

from .base import Delivery, DeliveryError, PermanentDeliveryError


def town_sender() -> tuple[str, list[str]]:
    """(From, Reply-To list) for the current town."""
    from tenants.current import current_town

    from ..models import MessagingSettings

    row = MessagingSettings.current()
    town = current_town()
    name = row.email_from_name or getattr(town, "name_th", "") or "Thongthin"
    address = row.email_from_address or settings.DEFAULT_FROM_EMAIL
    reply_to = [row.email_reply_to] if row.email_reply_to else []
    return formataddr((name, address)), reply_to


class EmailAdapter:
    provider = "email"

    def send(self, *, recipient: str, subject: str, body: str, idempotency_key: str) -> Delivery:
        if "@" not in recipient or any(ch in recipient for ch in "\r\n"):
            raise PermanentDeliveryError(f"not an e-mail address: {recipient[:80]}", provider=self.provider)
        sender, reply_to = town_sender()
        domain = sender.rsplit("@", 1)[-1].rstrip(">") or None
        message_id = make_msgid(domain=domain)
        message = EmailMessage(
            subject=subject, body=body, from_email=sender, to=[recipient], reply_to=reply_to,
            headers={"X-Idempotency-Key": idempotency_key, "Message-ID": message_id},
        )
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # SMTP errors come in many classes
            raise DeliveryError(f"{type(exc).__name__}: {exc}", provider=self.provider) from exc
        # Backends that talk to an HTTP provider (anymail) report the provider's id here.
        status = getattr(message, "anymail_status", None)
        provider_id = getattr(status, "message_id", None) or message_id
        return Delivery(provider=self.provider, message_id=str(provider_id)[:100])
