"""SMS to Thai mobiles through ThaiBulkSMS (v2 API) or Twilio, with failover between them.

Which account sends: the town's own (MessagingSettings.sms_provider and its sealed credentials —
a town that buys its own credit) else the platform's (SMS_PROVIDER, THAIBULKSMS_*, TWILIO_*).
After SMS_FAILOVER_AFTER failed attempts the second provider (the town's, else the platform's
SMS_FAILOVER_PROVIDER when the town uses the platform's account) carries the message.

Contracts spoken (and spoken back by tests/services/common/sms_provider.py on loopback):
- ThaiBulkSMS v2: POST {THAIBULKSMS_URL}/sms, HTTP Basic api key:secret, form fields msisdn
  (66XXXXXXXXX), message, sender, force (standard|corporate). 201 with JSON
  {"phone_number_list": [{"number", "message_id", "used_credit"}], "bad_phone_number_list":
  [{"number", "message"}], "remaining_credit", ...}; errors as {"error": {"code", "name",
  "description"}} with the HTTP status. No signed delivery receipt is documented: the row stays
  "accepted" with the provider's message id.
- Twilio Programmable Messaging: POST {TWILIO_URL}/2010-04-01/Accounts/{sid}/Messages.json, HTTP
  Basic sid:token, form To (+66…), From, Body, StatusCallback. 201 with JSON {"sid", "status",
  "num_segments", "price"}; errors {"code", "message", "status"}. Delivery receipts are POSTed to
  StatusCallback signed with X-Twilio-Signature (views.twilio_status).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import requests
from django.conf import settings

from ..thai_phone import is_mobile, normalize_thai_phone
from .base import Delivery, DeliveryError, FileAdapter, PermanentDeliveryError
from .sms_parts import sms_size

logger = logging.getLogger(__name__)

PROVIDERS = ("thaibulksms", "twilio", "file")
CONNECT_TIMEOUT = 5
# Twilio error codes that no retry can fix: invalid To, To not a mobile, To unsubscribed (STOP),
# message body too long / empty.
TWILIO_PERMANENT_CODES = {21211, 21214, 21217, 21610, 21614, 21617, 21602, 30006}


@dataclass(frozen=True)
class SmsAccount:
    """One provider account: whose it is ("town" or "platform"), where and how to reach it."""

    provider: str
    owner: str
    url: str = ""
    key: str = ""
    secret: str = ""
    sender: str = ""
    force: str = ""
    price_per_part: Decimal = Decimal(0)

    @property
    def has_credentials(self) -> bool:
        return self.provider == "file" or bool(self.key and self.secret)

    def __repr__(self) -> str:  # never show the secret in a traceback or log
        return f"SmsAccount({self.provider}, {self.owner})"


def _price(value) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return Decimal(0)


def _account(provider: str, owner: str, row) -> SmsAccount:
    price = _price(row.sms_price_per_part if row is not None and row.sms_price_per_part is not None
                   else settings.SMS_PRICE_PER_PART)
    town = owner == "town"
    if provider == "thaibulksms":
        return SmsAccount(
            provider, owner, url=settings.THAIBULKSMS_URL,
            key=row.thaibulksms_api_key if town else settings.THAIBULKSMS_API_KEY,
            secret=row.thaibulksms_api_secret if town else settings.THAIBULKSMS_API_SECRET,
            sender=(row.thaibulksms_sender if town else "") or settings.THAIBULKSMS_SENDER,
            force=(row.thaibulksms_force if town else "") or settings.THAIBULKSMS_FORCE or "corporate",
            price_per_part=price,
        )
    if provider == "twilio":
        return SmsAccount(
            provider, owner, url=settings.TWILIO_URL,
            key=row.twilio_account_sid if town else settings.TWILIO_ACCOUNT_SID,
            secret=row.twilio_auth_token if town else settings.TWILIO_AUTH_TOKEN,
            sender=(row.twilio_from if town else "") or settings.TWILIO_FROM,
            price_per_part=price,
        )
    return SmsAccount("file", owner, price_per_part=Decimal(0))


def sms_accounts() -> list[SmsAccount]:
    """The current town's SMS accounts, first choice first (one or two)."""
    from ..models import MessagingSettings

    row = MessagingSettings.current()
    if row.sms_provider:
        chain = [_account(row.sms_provider, "town", row)]
        if row.sms_failover_provider and row.sms_failover_provider != row.sms_provider:
            chain.append(_account(row.sms_failover_provider, "town", row))
        return chain
    primary = settings.SMS_PROVIDER if settings.SMS_PROVIDER in PROVIDERS else "file"
    chain = [_account(primary, "platform", row)]
    second = row.sms_failover_provider or settings.SMS_FAILOVER_PROVIDER
    if second in PROVIDERS and second != primary:
        chain.append(_account(second, "town" if row.sms_failover_provider else "platform", row))
    return chain


def sms_adapter(*, attempt: int = 1):
    """The adapter for this attempt: the first account, the second after SMS_FAILOVER_AFTER failures."""
    chain = sms_accounts()
    account = chain[1] if len(chain) > 1 and attempt > settings.SMS_FAILOVER_AFTER else chain[0]
    if account.provider == "file":
        return FileSms()
    return (ThaiBulkSmsAdapter if account.provider == "thaibulksms" else TwilioAdapter)(account)


class FileSms(FileAdapter):
    """The file stand-in, refusing what a real provider would (so development shows the same reasons)."""

    def __init__(self) -> None:
        super().__init__("sms")

    def send(self, *, recipient: str, subject: str, body: str, idempotency_key: str) -> Delivery:
        _HttpSms(SmsAccount("file", "platform"))._check(recipient, body)
        delivery = super().send(recipient=recipient, subject=subject, body=body, idempotency_key=idempotency_key)
        return Delivery(provider="file", message_id=delivery.message_id, segments=sms_size(body).parts)


class _HttpSms:
    provider = "file"

    def __init__(self, account: SmsAccount) -> None:
        self.account = account

    def _check(self, recipient: str, body: str) -> tuple[str, int]:
        """The national number and the part count, or a permanent refusal with the reason."""
        if not self.account.has_credentials:
            owner = "this town" if self.account.owner == "town" else "the platform"
            raise DeliveryError(
                f"{self.provider}: credentials missing for {owner} (set them on the messaging page or in the environment)",
                provider=self.provider,
            )
        national = normalize_thai_phone(recipient)
        if not national:
            raise PermanentDeliveryError(f"not a Thai phone number: {recipient[:40]}", provider=self.provider)
        if not is_mobile(national):
            raise PermanentDeliveryError(f"not a mobile number (SMS cannot reach a landline): {national}", provider=self.provider)
        size = sms_size(body)
        if size.parts == 0:
            raise PermanentDeliveryError("empty message", provider=self.provider)
        if size.parts > settings.SMS_MAX_PARTS:
            raise PermanentDeliveryError(
                f"message too long: {size.units} characters = {size.parts} parts (limit {settings.SMS_MAX_PARTS})",
                provider=self.provider,
            )
        return national, size.parts

    def _post(self, url: str, data: dict) -> requests.Response:
        try:
            return requests.post(
                url, data=data, auth=(self.account.key, self.account.secret),
                headers={"Accept": "application/json"},
                timeout=(CONNECT_TIMEOUT, settings.SMS_TIMEOUT), allow_redirects=False,
            )
        except requests.ConnectTimeout as exc:
            raise DeliveryError(f"{self.provider}: could not connect (timeout)", provider=self.provider) from exc
        except requests.ReadTimeout as exc:
            raise DeliveryError(
                f"{self.provider}: no answer within {settings.SMS_TIMEOUT:g} s (may have been sent; retried)",
                provider=self.provider,
            ) from exc
        except requests.RequestException as exc:  # refused, reset, DNS: nothing was taken
            raise DeliveryError(f"{self.provider}: {type(exc).__name__}", provider=self.provider) from exc

    def _json(self, response: requests.Response) -> dict:
        """The reply as a JSON object; anything else (HTML error page, empty body) is a retryable failure."""
        try:
            payload = response.json()
        except ValueError:
            kind = (response.headers.get("Content-Type") or "no content type").split(";")[0]
            raise DeliveryError(
                f"{self.provider}: HTTP {response.status_code} with a body that is not JSON ({kind}, {len(response.content)} bytes)",
                provider=self.provider,
            ) from None
        if not isinstance(payload, dict):
            raise DeliveryError(f"{self.provider}: HTTP {response.status_code} with unexpected JSON", provider=self.provider)
        return payload

    def _cost(self, parts: int) -> Decimal:
        return (self.account.price_per_part * parts).quantize(Decimal("0.0001"))


def _text(value, limit: int = 300) -> str:
    return str(value if value is not None else "")[:limit]


class ThaiBulkSmsAdapter(_HttpSms):
    provider = "thaibulksms"

    def send(self, *, recipient: str, subject: str, body: str, idempotency_key: str) -> Delivery:
        national, parts = self._check(recipient, body)
        msisdn = "66" + national[1:]
        data = {"msisdn": msisdn, "message": body, "force": self.account.force}
        if self.account.sender:
            data["sender"] = self.account.sender
        response = self._post(f"{self.account.url}/sms", data)
        status = response.status_code
        if status >= 500:
            raise DeliveryError(f"thaibulksms: HTTP {status} (provider error; retried)", provider=self.provider)
        payload = self._json(response)
        error = payload.get("error")
        if error or status >= 400:
            detail = error if isinstance(error, dict) else {}
            reason = _text(detail.get("description") or detail.get("name") or error or f"HTTP {status}")
            code = detail.get("code", status)
            if status == 400 and "sender" not in reason.lower() and "credit" not in reason.lower():
                # A malformed request is ours: sending it again is refused the same way.
                raise PermanentDeliveryError(f"thaibulksms refused ({code}): {reason}", provider=self.provider)
            raise DeliveryError(f"thaibulksms refused ({code}): {reason}", provider=self.provider)
        for bad in payload.get("bad_phone_number_list") or []:
            if isinstance(bad, dict) and str(bad.get("number", "")).lstrip("+") in (msisdn, national):
                raise PermanentDeliveryError(
                    f"thaibulksms: bad number {national}: {_text(bad.get('message') or 'refused')}",
                    provider=self.provider,
                )
        for sent in payload.get("phone_number_list") or []:
            if isinstance(sent, dict) and sent.get("message_id"):
                used = sent.get("used_credit")
                billed = used if isinstance(used, int) and 0 < used < 100 else parts
                return Delivery(
                    provider=self.provider, message_id=_text(sent["message_id"], 100), status="accepted",
                    segments=billed, cost=self._cost(billed),
                )
        raise DeliveryError("thaibulksms: reply has no message id for this number", provider=self.provider)


class TwilioAdapter(_HttpSms):
    provider = "twilio"

    def send(self, *, recipient: str, subject: str, body: str, idempotency_key: str) -> Delivery:
        national, parts = self._check(recipient, body)
        data = {"To": "+66" + national[1:], "From": self.account.sender, "Body": body}
        callback = status_callback_url()
        if callback:
            data["StatusCallback"] = callback
        url = f"{self.account.url}/2010-04-01/Accounts/{self.account.key}/Messages.json"
        response = self._post(url, data)
        status = response.status_code
        if status >= 500:
            raise DeliveryError(f"twilio: HTTP {status} (provider error; retried)", provider=self.provider)
        payload = self._json(response)
        if status >= 400 or payload.get("error_code"):
            code = payload.get("code") or payload.get("error_code") or status
            reason = _text(payload.get("message") or payload.get("error_message") or f"HTTP {status}")
            if isinstance(code, int) and code in TWILIO_PERMANENT_CODES:
                raise PermanentDeliveryError(f"twilio refused ({code}): {reason}", provider=self.provider)
            raise DeliveryError(f"twilio refused ({code}): {reason}", provider=self.provider)
        sid = payload.get("sid")
        if not sid:
            raise DeliveryError("twilio: reply has no message sid", provider=self.provider)
        try:
            billed = int(payload.get("num_segments") or parts)
        except (TypeError, ValueError):
            billed = parts
        return Delivery(
            provider=self.provider, message_id=_text(sid, 100), status=_text(payload.get("status") or "queued", 30),
            segments=billed, cost=self._cost(billed),
        )


def status_callback_url() -> str:
    """Where Twilio reports delivery for the current town ('' outside a town)."""
    from tenants.current import current_town

    from ..links import town_url

    town = current_town()
    if town is None or not town.primary_host:
        return ""
    return town_url("/messages/receipts/twilio/", town)
